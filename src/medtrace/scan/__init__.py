"""Read any code a device label or a document carries: GS1 element strings and bracketed text,
GS1 Digital Link URIs, EPC URNs, HIBC and China's MA codes, or an internal lot/serial number.

    from medtrace.scan import parse, ScanError
    result = parse(["]d2010950600013435217261231\\x1d10A1B2"])   # one label, one or more codes
    result.as_dict()   # the contract of `medtrace scan --json` and GET /api/v1/scan

Every refusal is a ScanError with a stable code and a translated message naming the rule.
"""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from medtrace.scan import gs1
from medtrace.scan.errors import ScanError, ScanErrorCode, refuse
from medtrace.scan.result import ScanResult, from_ais

__all__ = ["ScanError", "ScanErrorCode", "ScanResult", "parse"]

# Without a symbology identifier, digits are read as GS1 only when they clearly are: a GS
# separator, or a full SSCC/GTIN key up front. Anything else is an internal number.
LOOKS_GS1 = re.compile(r"^(00\d{18}|0[123]\d{14})")
LITERAL_LOT_WARNING = _(
    "A variable-length value was read to the end of the data: if the label meant more "
    "fields after it, the GS separator is missing."
)


def parse(codes: list[str] | str, *, reference_year: int | None = None) -> ScanResult:
    """One label's codes (a GS1 DI and its production identifiers in separate symbols, or an
    HIBC primary with its secondary) parsed and validated together into one result."""
    if isinstance(codes, str):
        codes = [codes]
    year = reference_year or date.today().year
    texts = [_trimmed(code) for code in codes if code and code.strip()]
    if not texts:
        refuse(ScanErrorCode.EMPTY_DATA, _("The scan is empty."))
    parts = [_read(text, year) for text in texts]
    schemes = {part[0] for part in parts}
    if schemes <= {"gs1", "gs1-digital-link"}:
        return _gs1_result(parts, year)
    if schemes == {"hibc"}:
        from medtrace.scan import hibc

        return hibc.combine([part[2] for part in parts], symbology=parts[0][1])
    if len(parts) == 1:
        return parts[0][2]
    refuse(
        ScanErrorCode.UNSUPPORTED,
        _("These codes cannot be read as one label: %(schemes)s.")
        % {"schemes": ", ".join(sorted(schemes))},
    )


def _trimmed(code: str) -> str:
    """The code without surrounding whitespace, except on HIBC data, where a trailing space can
    be the mod-43 check character: there only line ends and tabs are dropped at the end."""
    text = code.strip()
    _symbology, data = gs1.split_symbology(text)
    if data.startswith(("+", "*+")):
        return code.lstrip().rstrip("\r\n\t")
    return text


def _read(text: str, year: int):
    """(scheme, symbology, payload): payload is [(AI, value)] for GS1, else a ScanResult."""
    symbology, data = gs1.split_symbology(text)
    if symbology in gs1.SYMBOLOGIES.values():
        return "gs1", symbology, gs1.parse_element_string(data)
    lowered = data.lower()
    if lowered.startswith(("http://", "https://")):
        from medtrace.scan import digital_link

        return "gs1-digital-link", symbology, digital_link.parse(data)
    if lowered.startswith("urn:epc:"):
        from medtrace.scan import epc

        return "gs1", symbology, epc.parse(data)
    if data.startswith(("+", "*+")):
        from medtrace.scan import hibc

        return "hibc", symbology, hibc.parse(data, reference_year=year)
    if data.upper().startswith("MA."):
        from medtrace.scan import ma

        return "ma", symbology, ma.parse(data, reference_year=year, symbology=symbology)
    if data.startswith("("):
        return "gs1", symbology, gs1.parse_hri(data)
    normalized = gs1.normalize_separators(data)
    if gs1.GS in normalized or LOOKS_GS1.match(normalized):
        return "gs1", symbology, gs1.parse_element_string(normalized)
    return "internal", symbology, ScanResult(scheme="internal", symbology=symbology, text=data)


def _gs1_result(parts, year: int) -> ScanResult:
    pairs = [pair for _scheme, _symbology, payload in parts for pair in payload]
    for ai, value in pairs:
        gs1.validate_value(ai, value, year)
    gs1.validate_message(pairs)
    scheme = "gs1-digital-link" if all(p[0] == "gs1-digital-link" for p in parts) else "gs1"
    symbology = next((p[1] for p in parts if p[1]), None)
    result = from_ais(scheme, dict(pairs), symbology=symbology, reference_year=year)
    if _read_to_the_end(parts):
        result.warnings.append(LITERAL_LOT_WARNING)
    return result


def _read_to_the_end(parts) -> bool:
    """Did a variable-length value swallow what looks like more AIs (e.g. 10ABC17261231)?"""
    from medtrace.scan import dictionary

    for scheme, _symbology, payload in parts:
        if scheme != "gs1" or not payload:
            continue
        ai, value = payload[-1]
        entry = dictionary.lookup(ai)
        if entry and entry.fixed_length is None and re.search(r"(1[1-7]|21|10)\d{4,}$", value):
            return True
    return False
