"""China's MA codes (IDcode, issuing agency "MA"): the DI `MA.156.M0.{registrant}.{product}`,
then production fields, each "." + one letter + its value. The check character (the product
code's last character, and the value of a closing ".C" field) is computed by a proprietary
algorithm, so only the structure is validated.
"""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from medtrace.scan.errors import ScanErrorCode, refuse
from medtrace.scan.linters import yymmdd_date
from medtrace.scan.result import ScanResult

PREFIX = ("MA", "156", "M0")  # agency, country (China), industry (medical devices)
# Used with fullmatch: "$" would also match before a final newline and let it into a field.
REGISTRANT = re.compile(r"[0-9]{6}")
VALUE = re.compile(r"[0-9A-Za-z]+")
DATE = re.compile(r"[0-9]{6}|[0-9]{8}")
FIELD_NAMES = {"L": "lot", "S": "serial", "M": "production_date", "E": "expiry"}
# Kept as read, not interpreted; meanings as published by the issuing agency, to verify:
#   V: "有效期" (validity/use-by date?) (verify)
#   D: "灭菌批号" (sterilisation lot?) (verify)
# They go to the warnings with any letter we do not know.
CHECK_FIELD = "C"  # one character, the PI's proprietary check
NOT_INTERPRETED = _("MA field “.%(letter)s%(value)s” was kept as read, not interpreted.")


def parse(text: str, *, reference_year: int, symbology: str | None = None) -> ScanResult:
    parts = text.split(".")
    if len(parts) < 5 or tuple(part.upper() for part in parts[:3]) != PREFIX:
        _malformed(_("An MA code for a medical device in China starts MA.156.M0."), "prefix")
    registrant, product = parts[3], parts[4]
    if not REGISTRANT.fullmatch(registrant):
        _malformed(_("The MA registrant code must be six digits."), "registrant")
    if not VALUE.fullmatch(product):
        _malformed(_("The MA product code must be letters and digits."), "product")
    result = ScanResult(
        scheme="ma", symbology=symbology, device_identifier=".".join((*PREFIX, *parts[3:5]))
    )
    seen = set()
    fields = parts[5:]
    for number, part in enumerate(fields):
        letter, value = part[:1], part[1:]
        if not letter.isascii() or not letter.isupper():
            _malformed(
                _("Each MA production field is “.” and a capital letter; got “.%(part)s”.")
                % {"part": part},
                "fields",
            )
        if not VALUE.fullmatch(value):
            _malformed(
                _("The MA field .%(letter)s needs a value of letters and digits.")
                % {"letter": letter},
                FIELD_NAMES.get(letter, letter),
            )
        if letter in seen:
            _malformed(
                _("The MA field .%(letter)s appears twice.") % {"letter": letter},
                FIELD_NAMES.get(letter, letter),
            )
        seen.add(letter)
        if letter == CHECK_FIELD:
            if len(value) != 1 or number != len(fields) - 1:
                _malformed(_("The MA check field .C is one character, at the end."), "check")
        elif letter in {"M", "E"}:
            setattr(result, FIELD_NAMES[letter], _date(value, reference_year, FIELD_NAMES[letter]))
        elif letter in FIELD_NAMES:
            setattr(result, FIELD_NAMES[letter], value)
        else:  # V, D (KEPT_RAW) and letters we do not know
            result.warnings.append(NOT_INTERPRETED % {"letter": letter, "value": value})
    return result


def _date(value: str, reference_year: int, name: str) -> date:
    """YYMMDD (two-digit years by the GS1 century rule), or YYYYMMDD."""
    if not DATE.fullmatch(value):
        _malformed(_("An MA date is YYMMDD or YYYYMMDD; got “%(value)s”.") % {"value": value}, name)
    try:
        if len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return yymmdd_date(value, reference_year, zero_day_allowed=False)
    except ValueError:
        refuse(
            ScanErrorCode.INVALID_DATE,
            _("“%(value)s” is not a valid date.") % {"value": value},
            ai=name,
        )


def _malformed(message, part: str):
    refuse(ScanErrorCode.MA_MALFORMED, message, ai=part)
