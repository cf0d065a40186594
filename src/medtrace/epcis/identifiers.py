"""GS1 identifiers in EPCIS events, in the one form medtrace stores: the short canonical GS1
Digital Link on https://id.gs1.org (primary key and identity qualifiers, no query attributes;
a serial makes the lot redundant). EPC URNs (SGTIN, LGTIN, SSCC, SGLN, PGLN) and Digital
Links on any domain are converted and validated with the scan parsers; other URIs, EPC
patterns and EPC schemes medtrace does not trace are kept as given.

A URL on a brand's own domain is a Digital Link when its path parses as one; one that does
not (https://erp.example.com/po/2024/01/15 has "01" in it) is an ordinary URL. On GS1's
resolvers (id.gs1.org, id.gs1.de, …) every path must be a valid link."""

import base64
import binascii
import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.scan import dictionary, gs1
from medtrace.scan import digital_link as scan_digital_link
from medtrace.scan import epc as scan_epc
from medtrace.scan.checks import gs1_check_digit
from medtrace.scan.errors import ScanError, ScanErrorCode, refuse
from medtrace.scan.result import digital_link

NUMERIC = re.compile(r"^[0-9]+\Z")
# GS1 Digital Link URI Syntax 1.2, section 6: a compressed URI ends in one base64url segment.
COMPRESSED = re.compile(r"^[A-Za-z0-9_-]{10,}\Z")
# The first byte of a compressed Digital Link holds the first digits of its primary key's AI
# (00, 01, 253/255, 401/402/414/417, 8003/8004/8006/8010/8017/8018).
COMPRESSED_KEY_BYTES = {0x00, 0x01, 0x25, 0x40, 0x41, 0x80}
GS1_RESOLVER = re.compile(r"^id\.gs1\.[a-z.]+\Z")
# Qualifiers that are attributes of the object rather than part of its identity: the
# consumer product variant always, the lot when a serial is present.
NOT_IDENTITY = "22"
LOT, SERIAL = "10", "21"
CONVERTED_EPC_SCHEMES = {("id", "sgtin"), ("class", "lgtin"), ("id", "sscc"), ("id", "sgln")}
# The shapes a feed names most (every unit, lot, case and party), when already canonical:
# a key alone, or a GTIN with one lot or serial whose characters need no percent-encoding.
CANONICAL_SHAPE = re.compile(
    r"https://id\.gs1\.org/(?:(01)/(\d{14})(?:/(10|21)/([A-Za-z0-9._-]+))?"
    r"|(00)/(\d{18})|(41[47])/(\d{13}))"
)


# A document names the same objects again and again (commissioned, packed, shipped); the
# answer depends on the text alone, and refusals (exceptions) are not cached.
@lru_cache(maxsize=100_000)
def canonical(identifier: str) -> str:
    """`identifier` in medtrace's canonical form; invalid GS1 identifiers are refused with
    DomainError(VALIDATION) naming the identifier and the rule."""
    if shape := CANONICAL_SHAPE.fullmatch(identifier):
        values = shape.groups()
        pairs = [(values[i], values[i + 1]) for i in range(0, len(values), 2) if values[i]]
        try:
            _validate(pairs)
        except ScanError as error:
            _refuse(identifier, error)
        return identifier
    lowered = identifier[:8].lower()
    if lowered.startswith("urn:epc:"):
        return _from_epc(identifier)
    if lowered.startswith(("http://", "https://")):
        return _from_web(identifier)
    return identifier


def keys(digital_link_uri: str) -> dict[str, str]:
    """The AIs a GS1 Digital Link (or an EPC URN) carries, path and query:
    keys("https://id.gs1.org/01/09506000134352/10/ABC") == {"01": "09506000134352", "10": "ABC"}.
    """
    try:
        if digital_link_uri[:8].lower().startswith("urn:epc:"):
            return dict(scan_epc.parse(digital_link_uri))
        return dict(scan_digital_link.parse(digital_link_uri))
    except ScanError as error:
        _refuse(digital_link_uri, error)


def is_gs1_digital_link(uri: str) -> bool:
    """Does the URI's path carry a GS1 primary key (/01/…, /00/…, /414/…) after any prefix?"""
    try:
        segments = urlsplit(uri).path.split("/")[1:]
    except ValueError:
        return False
    return any(
        NUMERIC.match(segment)
        and (entry := dictionary.lookup(segment)) is not None
        and entry.dl_primary_key
        for segment in segments[:-1]
    )


def looks_compressed(uri: str) -> bool:
    """A compressed GS1 Digital Link: a base64url last segment on a GS1 resolver (id.gs1.org,
    id.gs1.de, …), or elsewhere the only path segment, whose first byte names a GS1 primary
    key. A heuristic: without decoding, a brand's compressed link and any other short URL
    cannot be told apart for certain; longer paths are taken for ordinary URLs."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    segments = [segment for segment in parts.path.split("/") if segment]
    if not segments or not COMPRESSED.match(segments[-1]) or NUMERIC.match(segments[-1]):
        return False
    if GS1_RESOLVER.match((parts.hostname or "").lower()):
        return True
    if len(segments) != 1:
        return False
    try:
        first = base64.urlsafe_b64decode(segments[0][:4])[0]
    except (binascii.Error, ValueError, IndexError):
        return False
    return first in COMPRESSED_KEY_BYTES


def identity(pairs: list[tuple[str, str]]) -> str | None:
    """The short canonical Digital Link of a key and its qualifiers (query attributes, the
    CPV, and the lot beside a serial left out)."""
    key = pairs[0][0]
    entry = dictionary.lookup(key)
    qualifiers = {ai for path in entry.dl_qualifier_paths for ai in path} - {NOT_IDENTITY}
    ais = {key: pairs[0][1]} | {ai: value for ai, value in pairs[1:] if ai in qualifiers}
    if SERIAL in ais:
        ais.pop(LOT, None)
    return digital_link(ais)


def _from_epc(urn: str) -> str:
    kind, _colon, rest = urn[len("urn:epc:") :].partition(":")
    scheme, _colon, body = rest.partition(":")
    kind, scheme = kind.lower(), scheme.lower()
    try:
        if (kind, scheme) in CONVERTED_EPC_SCHEMES:
            pairs = scan_epc.parse(urn)
        elif (kind, scheme) == ("id", "pgln"):
            pairs = [("417", _pgln(body))]
        else:
            return urn  # EPC patterns and schemes medtrace does not trace
        _validate(pairs)
    except ScanError as error:
        _refuse(urn, error)
    return identity(pairs)


def _pgln(body: str) -> str:
    company, _dot, party = body.partition(".")
    if not (NUMERIC.match(company) and NUMERIC.match(party)) or len(company + party) != 12:
        refuse(
            ScanErrorCode.VALUE_TOO_SHORT,
            _("A PGLN URN needs CompanyPrefix.PartyReference, 12 digits together."),
            ai="417",
        )
    return company + party + gs1_check_digit(company + party)


def _from_web(uri: str) -> str:
    on_resolver = bool(GS1_RESOLVER.match((urlsplit(uri).hostname or "").lower()))
    if not is_gs1_digital_link(uri):
        if looks_compressed(uri):
            raise DomainError(
                ErrorCode.VALIDATION,
                _(
                    "%(identifier)s looks like a compressed GS1 Digital Link; EPCIS events "
                    "must name objects by the uncompressed form (/01/…/21/…)."
                )
                % {"identifier": uri},
                identifier=uri,
            )
        return uri
    try:
        pairs = scan_digital_link.parse(uri)
    except ScanError as error:
        if on_resolver:
            _refuse(uri, error)
        # Elsewhere a path that merely has a number like an AI in it (/2024/01/15) is an
        # ordinary URL; a link that parses is held to GS1's rules below.
        return uri
    try:
        _validate(pairs)
    except ScanError as error:
        _refuse(uri, error)
    return identity(pairs)


def _validate(pairs: list[tuple[str, str]]) -> None:
    year = date.today().year
    for ai, value in pairs:
        gs1.validate_value(ai, value, year)
    gs1.validate_message(pairs)


def _refuse(identifier: str, error: ScanError):
    raise DomainError(
        ErrorCode.VALIDATION,
        _("%(identifier)s is not a valid GS1 identifier: %(rule)s")
        % {"identifier": identifier, "rule": error.message},
        identifier=identifier,
        rule=str(error.code),
    )
