"""GS1 Digital Link URIs (uncompressed, on any domain) read into [(AI, value)]: the primary key
and its qualifiers from the path, data attributes from the query. The values are validated by
the caller together with the rest of the label (gs1.validate_value), not here."""

import re
from urllib.parse import unquote, unquote_plus, urlsplit

from django.utils.translation import gettext_lazy as _

from medtrace.scan import dictionary
from medtrace.scan.errors import ScanErrorCode, refuse

# RFC 3986 characters; anything else (spaces, raw non-ASCII) means the URI was mangled.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*\Z")
BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
NUMERIC = re.compile(r"^[0-9]+\Z")
# GS1 Digital Link URI Syntax 1.2, section 6: a compressed URI ends in one base64url segment.
COMPRESSED = re.compile(r"^[A-Za-z0-9_-]{10,}\Z")
# Keys whose length a Digital Link may vary (GTIN: zero-suppressed forms) or must keep.
KEY_LENGTHS = {"01": (8, 12, 13, 14), "00": (18,), "414": (13,), "417": (13,)}


def parse(uri: str) -> list[tuple[str, str]]:
    if not URI_CHARACTERS.match(uri) or BROKEN_ESCAPE.search(uri):
        refuse(ScanErrorCode.DL_INVALID_URI, _("This is not a well-formed URI."))
    try:
        parts = urlsplit(uri)
    except ValueError:
        refuse(ScanErrorCode.DL_INVALID_URI, _("This is not a well-formed URI."))
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        refuse(ScanErrorCode.DL_INVALID_URI, _("A Digital Link is an http(s) URI with a domain."))
    segments = parts.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()  # one trailing slash is tolerated
    start = _primary_key_position(segments)
    if start is None:
        if segments and _looks_compressed(segments[-1]):
            _refuse_compressed()
        refuse(
            ScanErrorCode.DL_INVALID_URI,
            _("No GS1 primary key (such as /01/ for a GTIN) was found in the URI path."),
        )
    path = segments[start:]
    if len(path) % 2:
        if len(path) == 3 and _looks_compressed(path[-1]):
            _refuse_compressed()
        refuse(
            ScanErrorCode.DL_INVALID_URI,
            _("The URI path after the prefix must be /AI/value pairs; one segment is left over."),
        )
    pairs = [_path_pair(path[i], path[i + 1]) for i in range(0, len(path), 2)]
    _check_qualifiers([ai for ai, _value in pairs])
    pairs += _query_pairs(parts.query, key=pairs[0][0])
    seen = set()
    for ai, _value in pairs:
        if ai in seen:
            refuse(
                ScanErrorCode.DL_INVALID_URI,
                _("(%(ai)s) appears twice in the Digital Link.") % {"ai": ai},
                ai=ai,
            )
        seen.add(ai)
    return pairs


def _primary_key_position(segments: list[str]) -> int | None:
    """Where the first /AI/value pair whose AI is a Digital Link primary key starts; what comes
    before it is the domain's own path prefix."""
    for position, segment in enumerate(segments[:-1]):
        entry = dictionary.lookup(segment) if NUMERIC.match(segment) else None
        if entry is not None and entry.dl_primary_key:
            return position
    return None


def _looks_compressed(segment: str) -> bool:
    return bool(COMPRESSED.match(segment)) and not NUMERIC.match(segment)


def _refuse_compressed():
    refuse(
        ScanErrorCode.UNSUPPORTED,
        _(
            "This looks like a compressed GS1 Digital Link; only the uncompressed form "
            "(/01/…/10/…) can be read."
        ),
    )


def _path_pair(ai: str, raw: str) -> tuple[str, str]:
    if not NUMERIC.match(ai) or dictionary.lookup(ai) is None:
        refuse(
            ScanErrorCode.DL_INVALID_URI,
            _("“%(segment)s” in the URI path is not a GS1 Application Identifier.")
            % {"segment": ai},
        )
    value = unquote(raw)
    if not value:
        refuse(ScanErrorCode.DL_INVALID_URI, _("(%(ai)s) has no value.") % {"ai": ai}, ai=ai)
    return ai, _key_value(ai, value)


def _key_value(ai: str, value: str) -> str:
    """A key at the length the Digital Link allows; a GTIN-8/12/13 becomes a GTIN-14."""
    lengths = KEY_LENGTHS.get(ai)
    if lengths is None:
        return value
    if len(value) not in lengths:
        refuse(
            ScanErrorCode.DL_INVALID_KEY_LENGTH,
            _("(%(ai)s) in a Digital Link has %(lengths)s characters; got %(got)s.")
            % {"ai": ai, "lengths": " / ".join(map(str, lengths)), "got": len(value)},
            ai=ai,
        )
    return value.rjust(14, "0") if ai == "01" else value


def _check_qualifiers(ais: list[str]) -> None:
    """The path's qualifiers follow one of the key's qualifier sequences, in its order, each
    at most once (any may be left out)."""
    key, qualifiers = ais[0], ais[1:]
    entry = dictionary.lookup(key)
    if not qualifiers or any(_in_order(qualifiers, seq) for seq in entry.dl_qualifier_paths):
        return
    if entry.dl_qualifier_paths:
        allowed = " | ".join(", ".join(seq) for seq in entry.dl_qualifier_paths)
        message = _(
            "(%(key)s) takes its path qualifiers in one of these orders: %(allowed)s; "
            "it got %(got)s."
        ) % {"key": key, "allowed": allowed, "got": ", ".join(qualifiers)}
    else:
        message = _("(%(key)s) takes no qualifiers in the path; got %(got)s.") % {
            "key": key,
            "got": ", ".join(qualifiers),
        }
    refuse(ScanErrorCode.DL_BAD_PATH_ORDER, message, ai=key)


def _in_order(qualifiers: list[str], sequence: tuple[str, ...]) -> bool:
    position = 0
    for ai in qualifiers:
        if ai not in sequence[position:]:
            return False
        position = sequence.index(ai, position) + 1
    return True


def _query_pairs(query: str, *, key: str) -> list[tuple[str, str]]:
    """Numeric parameters are GS1 data attributes; others (linkType, …) are not our business."""
    qualifiers = {ai for seq in dictionary.lookup(key).dl_qualifier_paths for ai in seq}
    pairs = []
    for parameter in query.split("&"):
        name, equals, raw = parameter.partition("=")
        if not NUMERIC.match(name):
            continue
        if name in qualifiers:
            refuse(
                ScanErrorCode.DL_QUALIFIER_IN_QUERY,
                _("(%(ai)s) qualifies (%(key)s): it belongs in the URI path, not the query.")
                % {"ai": name, "key": key},
                ai=name,
            )
        entry = dictionary.lookup(name)
        if entry is None or not entry.dl_attribute:
            refuse(
                ScanErrorCode.DL_INVALID_URI,
                _("(%(ai)s) is not a GS1 Digital Link data attribute.") % {"ai": name},
                ai=name,
            )
        value = unquote_plus(raw)
        if not equals or not value:
            refuse(
                ScanErrorCode.DL_INVALID_URI, _("(%(ai)s) has no value.") % {"ai": name}, ai=name
            )
        pairs.append((name, _key_value(name, value)))
    return pairs
