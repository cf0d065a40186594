"""Location barcodes: what a bin label encodes, and reading it back from a scan.

A location label carries the short form `LOC:<site code>:<location code>` (Code 128 and QR:
short, upper-case, readable by every handheld and by a phone camera). The full URN the
ledger uses, `urn:medtrace:location:<site>:<code>` (inventory.ledger.location_uri), is read
too, so an EPCIS document's location or a label printed elsewhere scans the same. Site and
location codes are upper-case letters, digits, '.', '_' and '-' (org.models.code_validator),
so ':' separates them unambiguously."""

import re

from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Location

from .ledger import LOCATION_PREFIX

SHORT_PREFIX = "LOC:"
CODE = r"[A-Z0-9][A-Z0-9_.-]{0,31}"
PATTERN = re.compile(rf"^(?P<site>{CODE}):(?P<code>{CODE})\Z")


def label_text(location: Location) -> str:
    """What a location's label encodes: "LOC:A1:A-01"."""
    return f"{SHORT_PREFIX}{location.site.code}:{location.code}"


def is_location_code(text: str) -> bool:
    """Whether `text` claims to be a location (it may still be malformed or unknown)."""
    head = (text or "").strip()
    return head.upper().startswith(SHORT_PREFIX) or head.lower().startswith(LOCATION_PREFIX)


def parse(text: str) -> tuple[str, str] | None:
    """(site code, location code) from a location barcode; None when `text` is no location
    code at all (an object's code); a refusal when it is one but malformed."""
    text = (text or "").strip()
    if text.upper().startswith(SHORT_PREFIX):
        rest = text[len(SHORT_PREFIX) :]
    elif text.lower().startswith(LOCATION_PREFIX):
        rest = text[len(LOCATION_PREFIX) :]
    else:
        return None
    found = PATTERN.match(rest.upper())
    if found is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(code)s is not a location code; a location label reads LOC:<site>:<location>.")
            % {"code": text},
            fields={"code": [str(_("Not a location code."))]},
        )
    return found["site"], found["code"]


def find_location(user, text: str, *, perm: str = "org.view_location") -> Location | None:
    """The location a scan names, among those the user may see (None: not a location code);
    refused when it names none of theirs or a closed one."""
    parsed = parse(text)
    if parsed is None:
        return None
    site_code, code = parsed
    location = (
        access.scoped(Location.objects.select_related("site"), user, perm=perm)
        .filter(organization_id=user.organization_id, site__code=site_code, code=code)
        .first()
    )
    if location is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("Location %(code)s at site %(site)s is not known here.")
            % {"code": code, "site": site_code},
            scanned=text,
        )
    if not location.is_active:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Location %(location)s is closed.") % {"location": location.path},
        )
    return location
