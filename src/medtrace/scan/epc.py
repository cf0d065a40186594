"""EPC URNs (GS1 EPC Tag Data Standard) read as GS1 element strings: SGTIN and SSCC and SGLN
pure identities, LGTIN classes. Keys get their check digit computed; serials, lots and GLN
extensions are URN-unescaped. The values are validated by the caller with the rest of the label.
"""

import re
from urllib.parse import unquote

from django.utils.translation import gettext_lazy as _

from medtrace.scan.checks import gs1_check_digit
from medtrace.scan.errors import ScanErrorCode, refuse

PREFIX = "urn:epc:"
DIGITS = re.compile(r"^[0-9]+\Z")
# TDS GS3A3 characters: letters, digits, !'()*+,-.:;=_ and %-escapes (for "%&/<>? and others).
GS3A3 = re.compile(r"^(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})*\Z")
COMPANY_PREFIX_LENGTHS = range(6, 13)
SUPPORTED = "urn:epc:id:sgtin, urn:epc:class:lgtin, urn:epc:id:sscc, urn:epc:id:sgln"


def parse(urn: str) -> list[tuple[str, str]]:
    if urn[: len(PREFIX)].lower() != PREFIX:
        refuse(ScanErrorCode.UNSUPPORTED, _("This is not an EPC URN."))
    kind, _colon, rest = urn[len(PREFIX) :].partition(":")
    scheme, _colon, body = rest.partition(":")
    reader = READERS.get((kind.lower(), scheme.lower()))
    if reader is None:
        if kind.lower() == "idpat":
            message = _("An EPC pattern names a set of objects, not one: it cannot be scanned.")
        else:
            message = _("EPC URNs “%(kind)s” are not read; medtrace reads %(supported)s.") % {
                "kind": f"{kind}:{scheme}",
                "supported": SUPPORTED,
            }
        refuse(ScanErrorCode.UNSUPPORTED, message)
    return reader(body)


def _sgtin(body: str) -> list[tuple[str, str]]:
    company, reference, serial = _parts(body, 3, "01", _("CompanyPrefix.ItemReference.Serial"))
    return [("01", _gtin(company, reference)), ("21", _unescaped(serial, "21"))]


def _lgtin(body: str) -> list[tuple[str, str]]:
    company, reference, lot = _parts(body, 3, "01", _("CompanyPrefix.ItemReference.Lot"))
    return [("01", _gtin(company, reference)), ("10", _unescaped(lot, "10"))]


def _sscc(body: str) -> list[tuple[str, str]]:
    company, reference = _parts(body, 2, "00", _("CompanyPrefix.SerialReference"))
    _digits(company, reference, total=17, ai="00")
    # The extension digit leads the serial reference and the SSCC.
    data = reference[0] + company + reference[1:]
    return [("00", data + gs1_check_digit(data))]


def _sgln(body: str) -> list[tuple[str, str]]:
    company, location, extension = _parts(
        body, 3, "414", _("CompanyPrefix.LocationReference.Extension")
    )
    _digits(company, location, total=12, ai="414")
    data = company + location
    pairs = [("414", data + gs1_check_digit(data))]
    if extension != "0":  # "0" means no extension
        pairs.append(("254", _unescaped(extension, "254")))
    return pairs


def _parts(body: str, count: int, ai: str, shape) -> list[str]:
    # The last part (serial, lot, extension) may itself contain dots.
    parts = body.split(".", count - 1)
    if len(parts) != count:
        refuse(
            ScanErrorCode.VALUE_TOO_SHORT,
            _("This EPC URN needs %(shape)s after the scheme.") % {"shape": shape},
            ai=ai,
        )
    return parts


def _gtin(company: str, reference: str) -> str:
    _digits(company, reference, total=13, ai="01")
    # The indicator digit leads the item reference in the URN and the GTIN-14.
    data = reference[0] + company + reference[1:]
    return data + gs1_check_digit(data)


def _digits(company: str, reference: str, *, total: int, ai: str) -> None:
    for part in (company, reference):
        if part and not DIGITS.match(part):
            refuse(
                ScanErrorCode.INVALID_CHARACTER,
                _("“%(part)s” in the EPC URN must be digits.") % {"part": part},
                ai=ai,
            )
    if len(company) not in COMPANY_PREFIX_LENGTHS:
        code = (
            ScanErrorCode.VALUE_TOO_SHORT
            if len(company) < COMPANY_PREFIX_LENGTHS.start
            else ScanErrorCode.VALUE_TOO_LONG
        )
        refuse(
            code,
            _("A GS1 Company Prefix has 6 to 12 digits; got %(got)s.") % {"got": len(company)},
            ai=ai,
        )
    length = len(company) + len(reference)
    if length != total:
        refuse(
            ScanErrorCode.VALUE_TOO_SHORT if length < total else ScanErrorCode.VALUE_TOO_LONG,
            _("The company prefix and reference must have %(total)s digits together; got %(got)s.")
            % {"total": total, "got": length},
            ai=ai,
        )


def _unescaped(value: str, ai: str) -> str:
    if not GS3A3.match(value):
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("“%(value)s” has a character an EPC URN must escape (or a broken %%-escape).")
            % {"value": value},
            ai=ai,
        )
    return unquote(value)


READERS = {
    ("id", "sgtin"): _sgtin,
    ("class", "lgtin"): _lgtin,
    ("id", "sscc"): _sscc,
    ("id", "sgln"): _sgln,
}
