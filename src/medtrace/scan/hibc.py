"""HIBC LIC (ANSI/HIBC 2.6, Supplier Labeling Standard): the primary data structure (labeler,
product, unit of measure), the secondary (quantity, expiry, lot or serial, supplementary fields)
in its own symbol tied to the primary by the link character, or both concatenated in one.

Every structure ends in a mod-43 check character over everything before it, "+" included.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from medtrace.scan.checks import HIBC_CHARSET, hibc_check_character
from medtrace.scan.errors import ScanErrorCode, refuse
from medtrace.scan.linters import full_year
from medtrace.scan.result import ScanResult

LIC = re.compile(r"^[A-Z][A-Z0-9]{3}\Z")
PCN = re.compile(r"^[A-Z0-9]+\Z")
PCN_MAX = 18
# Lot and serial: "alphanumeric" in the standard; "-" and "." are let through because labels
# print them and they are Code 39 characters ("$", "/", "+" are structure, "%" and space doubtful).
IDENTIFIER = re.compile(r"^[A-Z0-9.\-]*\Z")
IDENTIFIER_MAX = 18
JULIAN_DATE = re.compile(r"^[0-9]{5}")
# Date formats of the "$$" secondary, by flag: (layout, digits). "0"/"1" start an MMYY date.
DATE_FORMATS = {
    "2": ("MMDDYY", 6),
    "3": ("YYMMDD", 6),
    "4": ("YYMMDDHH", 8),
    "5": ("YYJJJ", 5),
    "6": ("YYJJJHH", 7),
    "7": (None, 0),
}
QUANTITY_DIGITS = {"8": 2, "9": 5}
UNKNOWN_SUPPLEMENT = _("Supplementary HIBC data “/%(field)s” was not read.")
NO_PRIMARY = _(
    "Secondary HIBC data was scanned without its primary: the product is unknown and the link "
    "character was not checked."
)


class HibcKind(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    CONCATENATED = "concatenated"


@dataclass
class HibcData:
    kind: HibcKind
    raw: str
    check: str
    lic: str | None = None
    pcn: str | None = None
    uom: str | None = None
    link: str | None = None  # a separate secondary's copy of its primary's check character
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    production_date: date | None = None
    quantity: int | None = None
    warnings: list = field(default_factory=list)


def parse(text: str, *, reference_year: int) -> HibcData:
    data = text.removeprefix("*").removesuffix("*")  # Code 39 start/stop characters
    if not data.startswith("+"):
        refuse(ScanErrorCode.UNSUPPORTED, _("HIBC supplier data starts with “+”."))
    bad = next((char for char in data if char not in HIBC_CHARSET), None)
    if bad is not None:
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("“%(char)s” is not an HIBC character (0-9, A-Z, - . space $ / + %%).")
            % {"char": bad},
        )
    if len(data) < 3:
        refuse(ScanErrorCode.VALUE_TOO_SHORT, _("This HIBC code is too short."))
    body, check = data[:-1], data[-1]
    expected = hibc_check_character(body)
    if check != expected:
        refuse(
            ScanErrorCode.HIBC_BAD_CHECK,
            _("The HIBC check character is “%(got)s”; the data gives “%(expected)s”.")
            % {"got": check, "expected": expected},
            ai="check",
        )
    content = body[1:]
    if content[0] == "$" or JULIAN_DATE.match(content):
        return _secondary(content, data, check, reference_year)
    result = HibcData(kind=HibcKind.PRIMARY, raw=data, check=check)
    primary, slash, secondary = content.partition("/")
    _primary(primary, result)
    if slash:
        result.kind = HibcKind.CONCATENATED
        _secondary_data(secondary, result, reference_year, supplements_only_allowed=True)
    return result


def _primary(content: str, result: HibcData) -> None:
    lic, rest = content[:4], content[4:]
    if not LIC.match(lic):
        refuse(
            ScanErrorCode.HIBC_INVALID_LIC,
            _(
                "“%(lic)s” is not a Labeler Identification Code (a letter, then three letters "
                "or digits), nor does the data start like HIBC secondary data."
            )
            % {"lic": lic},
            ai="lic",
        )
    if len(rest) < 2:
        refuse(
            ScanErrorCode.VALUE_TOO_SHORT,
            _("HIBC primary data needs a product number and a unit of measure after the LIC."),
            ai="pcn",
        )
    pcn, uom = rest[:-1], rest[-1]
    if not PCN.match(pcn):
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("The HIBC product number “%(pcn)s” must be letters and digits.") % {"pcn": pcn},
            ai="pcn",
        )
    if len(pcn) > PCN_MAX:
        refuse(
            ScanErrorCode.VALUE_TOO_LONG,
            _("The HIBC product number has at most 18 characters; got %(got)s.")
            % {"got": len(pcn)},
            ai="pcn",
        )
    if not uom.isdigit():
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("The HIBC unit of measure is one digit; got “%(uom)s”.") % {"uom": uom},
            ai="uom",
        )
    result.lic, result.pcn, result.uom = lic, pcn, uom


def _secondary(content: str, raw: str, check: str, year: int) -> HibcData:
    if len(content) < 2:
        refuse(ScanErrorCode.VALUE_TOO_SHORT, _("This HIBC secondary data is too short."))
    result = HibcData(kind=HibcKind.SECONDARY, raw=raw, check=check, link=content[-1])
    _secondary_data(content[:-1], result, year, supplements_only_allowed=False)
    return result


def _secondary_data(data: str, result: HibcData, year: int, *, supplements_only_allowed) -> None:
    """The lot/serial field and its dates, then "/"-separated supplementary fields."""
    fields = data.split("/")
    main = fields[0]
    if main.startswith("$") or JULIAN_DATE.match(main):
        _main_field(main, result, year)
        fields = fields[1:]
    elif not supplements_only_allowed:
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("HIBC secondary data starts with “$”, “$$” or a YYJJJ date."),
        )
    for supplement in fields:
        _supplement(supplement, result)


def _main_field(main: str, result: HibcData, year: int) -> None:
    if main.startswith("$$"):
        rest = main[2:]
        is_serial = rest.startswith("+")
        rest = rest.removeprefix("+")
        if rest[:1] in QUANTITY_DIGITS:
            digits = QUANTITY_DIGITS[rest[:1]]
            quantity = rest[1 : 1 + digits]
            if len(quantity) != digits or not quantity.isdigit():
                refuse(
                    ScanErrorCode.INVALID_CHARACTER,
                    _("HIBC quantity format %(flag)s needs %(digits)s digits.")
                    % {"flag": rest[:1], "digits": digits},
                    ai="quantity",
                )
            result.quantity = int(quantity)
            rest = rest[1 + digits :]
        flag = rest[:1]
        if flag in {"0", "1"}:
            layout, digits = "MMYY", 4
        elif flag in DATE_FORMATS:
            layout, digits = DATE_FORMATS[flag]
            rest = rest[1:]
        else:
            refuse(
                ScanErrorCode.INVALID_CHARACTER,
                _("After “$$” HIBC expects a date format (MMYY, 2 to 7) or a quantity (8, 9)."),
                ai="expiry",
            )
        if layout:
            result.expiry = _date(rest[:digits], layout, year)
        identifier = rest[digits:]
    elif main.startswith("$"):
        is_serial = main.startswith("$+")
        identifier = main[2:] if is_serial else main[1:]
        if not identifier:
            refuse(
                ScanErrorCode.VALUE_TOO_SHORT,
                _("“$” secondary data needs a lot or serial number."),
                ai="serial" if is_serial else "lot",
            )
    else:  # the older form: an expiry date YYJJJ, then the lot
        is_serial = False
        result.expiry = _date(main[:5], "YYJJJ", year)
        identifier = main[5:]
    _identifier(identifier, "serial" if is_serial else "lot", result)


def _identifier(value: str, name: str, result: HibcData) -> None:
    if not IDENTIFIER.match(value):
        refuse(
            ScanErrorCode.INVALID_CHARACTER,
            _("The HIBC %(name)s “%(value)s” must be letters and digits.")
            % {"name": name, "value": value},
            ai=name,
        )
    if len(value) > IDENTIFIER_MAX:
        refuse(
            ScanErrorCode.VALUE_TOO_LONG,
            _("The HIBC %(name)s has at most 18 characters; got %(got)s.")
            % {"name": name, "got": len(value)},
            ai=name,
        )
    if value:
        _set(result, name, value)


def _supplement(supplement: str, result: HibcData) -> None:
    if not supplement:
        refuse(ScanErrorCode.VALUE_TOO_SHORT, _("An HIBC supplementary field is empty."))
    if supplement.startswith("S"):
        if len(supplement) == 1:
            refuse(ScanErrorCode.VALUE_TOO_SHORT, _("“/S” needs a serial number."), ai="serial")
        _identifier(supplement[1:], "serial", result)
    elif supplement.startswith(("16D", "14D")):
        name = "production_date" if supplement.startswith("16D") else "expiry"
        _set(result, name, _date(supplement[3:], "YYYYMMDD", None, ai=name))
    else:
        result.warnings.append(UNKNOWN_SUPPLEMENT % {"field": supplement})


def _set(result: HibcData, name: str, value) -> None:
    present = getattr(result, name)
    if present is not None and present != value:
        refuse(
            ScanErrorCode.DUPLICATE_AI_CONFLICT,
            _("The HIBC data gives the %(name)s twice: %(first)s and %(second)s.")
            % {"name": name, "first": present, "second": value},
            ai=name,
        )
    setattr(result, name, value)


def _date(text: str, layout: str, year: int | None, *, ai: str = "expiry") -> date:
    """A date in one of HIBC's layouts; MMYY means the last day of that month."""
    invalid = _("“%(text)s” is not a valid HIBC date (%(layout)s).") % {
        "text": text,
        "layout": layout,
    }
    if len(text) != len(layout) or not text.isdigit() or not text.isascii():
        refuse(ScanErrorCode.INVALID_DATE, invalid, ai=ai)
    fields = {letter: int(text[i : i + layout.count(letter)]) for i, letter in _starts(layout)}
    try:
        full = fields["Y"] if layout.startswith("YYYY") else full_year(fields["Y"], year)
        if fields.get("H", 0) > 23:
            raise ValueError
        if "J" in fields:
            day = fields["J"]
            if not 1 <= day <= (366 if calendar.isleap(full) else 365):
                raise ValueError
            return date(full, 1, 1) + timedelta(days=day - 1)
        if "D" not in fields:
            return date(full, fields["M"], calendar.monthrange(full, fields["M"])[1])
        return date(full, fields["M"], fields["D"])
    except (ValueError, calendar.IllegalMonthError):
        refuse(ScanErrorCode.INVALID_DATE, invalid, ai=ai)


def _starts(layout: str):
    """(position, letter) where each run of a letter starts: "YYMMDD" → (0,Y) (2,M) (4,D)."""
    return [(i, letter) for i, letter in enumerate(layout) if i == 0 or layout[i - 1] != letter]


def combine(parts: list[HibcData], *, symbology: str | None) -> ScanResult:
    """One label's HIBC symbols: a primary and a secondary tied by the link character, or one
    concatenated symbol."""
    primaries = [p for p in parts if p.kind in {HibcKind.PRIMARY, HibcKind.CONCATENATED}]
    secondaries = [p for p in parts if p.kind in {HibcKind.SECONDARY, HibcKind.CONCATENATED}]
    if len(parts) > 2 or len(primaries) > 1 or len(secondaries) > 1:
        refuse(
            ScanErrorCode.UNSUPPORTED,
            _("One HIBC label has one primary and at most one secondary data structure."),
        )
    primary = primaries[0] if primaries else None
    secondary = secondaries[0] if secondaries else None
    warnings = [w for part in parts for w in part.warnings]
    if primary is None:
        warnings.append(NO_PRIMARY)
    elif secondary and secondary.kind == HibcKind.SECONDARY and secondary.link != primary.check:
        refuse(
            ScanErrorCode.HIBC_LINK_MISMATCH,
            _(
                "The secondary's link character “%(link)s” is not the primary's check "
                "character “%(check)s”: the two codes belong to different products."
            )
            % {"link": secondary.link, "check": primary.check},
            ai="link",
        )
    return ScanResult(
        scheme="hibc",
        symbology=symbology,
        lic=primary.lic if primary else None,
        pcn=primary.pcn if primary else None,
        uom=primary.uom if primary else None,
        device_identifier=f"+{primary.lic}{primary.pcn}{primary.uom}" if primary else None,
        lot=secondary.lot if secondary else None,
        serial=secondary.serial if secondary else None,
        expiry=secondary.expiry if secondary else None,
        production_date=secondary.production_date if secondary else None,
        count=secondary.quantity if secondary else None,
        warnings=warnings,
    )
