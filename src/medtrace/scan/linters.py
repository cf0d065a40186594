"""The content checks named in the GS1 syntax dictionary ("linters"), applied per component.

Each returns None when the value passes, or (error code, message). Linters that need GS1
reference tables medtrace does not ship (company-prefix positions, coupon codes, media and
package type code lists) are listed in NOT_CHECKED and pass; their structure is still checked
by the component's character set and length.
"""

import calendar
import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from medtrace.scan.checks import gs1_check_digit, gs1_check_pair
from medtrace.scan.errors import ScanErrorCode

NOT_CHECKED = {
    "gcppos1",
    "gcppos2",
    "couponcode",
    "couponposoffer",
    "mediatype",
    "packagetype",
    "importeridx",
    "winding",
    "iso3166",
    "iso3166999",
    "iso4217",
    "iso5218",
    "posinseqslash",
}


# Two-digit years: GS1 General Specifications 7.12, a window of 49 years back and 50 ahead
# of the reference year (injectable so tests are stable).
def full_year(two_digits: int, reference_year: int) -> int:
    century = reference_year // 100 * 100
    difference = two_digits - reference_year % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    return century + two_digits


def yymmdd_date(value: str, reference_year: int, *, zero_day_allowed: bool) -> date:
    """A YYMMDD value as a date; DD=00 (where allowed) means the month's last day."""
    year = full_year(int(value[0:2]), reference_year)
    month, day = int(value[2:4]), int(value[4:6])
    if day == 0 and zero_day_allowed and 1 <= month <= 12:
        day = calendar.monthrange(year, month)[1]
    return date(year, month, day)


def _date(value, reference_year, zero_day_allowed):
    try:
        yymmdd_date(value, reference_year, zero_day_allowed=zero_day_allowed)
    except ValueError:
        return ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid date (YYMMDD).") % {
            "value": value
        }
    return None


def _yyyymmdd(value, reference_year):
    try:
        date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid date (YYYYMMDD).") % {
            "value": value
        }
    return None


def _check_digit(value, _reference_year):
    if gs1_check_digit(value[:-1]) != value[-1]:
        return ScanErrorCode.BAD_CHECK_DIGIT, _(
            "The check digit of %(value)s is wrong (expected %(digit)s)."
        ) % {"value": value, "digit": gs1_check_digit(value[:-1])}
    return None


def _check_pair(value, _reference_year):
    if len(value) < 3 or gs1_check_pair(value[:-2]) != value[-2:]:
        return ScanErrorCode.BAD_CHECK_DIGIT, _("The check characters of %(value)s are wrong.") % {
            "value": value
        }
    return None


def _hhmi(value, _reference_year):
    if not (int(value[0:2]) <= 23 and int(value[2:4]) <= 59):
        return ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid time (HHMM).") % {
            "value": value
        }
    return None


def _simple(predicate, message):
    def lint(value, _reference_year):
        if not predicate(value):
            return ScanErrorCode.INVALID_CHARACTER, message % {"value": value}
        return None

    return lint


PERCENT_ENCODED = re.compile(r"^(?:[^%]|%[0-9A-Fa-f]{2})*\Z")

LINTERS = {
    "csum": _check_digit,
    "csumalpha": _check_pair,
    "yymmdd": lambda value, year: _date(value, year, False),
    "yymmd0": lambda value, year: _date(value, year, True),
    "yyyymmdd": _yyyymmdd,
    "hhmi": _hhmi,
    "hh": lambda value, _year: (
        None
        if int(value) <= 23
        else (ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid hour.") % {"value": value})
    ),
    "mi": lambda value, _year: (
        None
        if int(value) <= 59
        else (ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid minute.") % {"value": value})
    ),
    "ss": lambda value, _year: (
        None
        if int(value) <= 59
        else (ScanErrorCode.INVALID_DATE, _("%(value)s is not a valid second.") % {"value": value})
    ),
    "nonzero": _simple(lambda v: int(v) != 0, _("%(value)s must not be zero.")),
    "zero": _simple(lambda v: int(v) == 0, _("%(value)s must be zero.")),
    "nozeroprefix": _simple(
        lambda v: v == "0" or not v.startswith("0"), _("%(value)s must not start with 0.")
    ),
    "yesno": _simple(lambda v: v in {"0", "1"}, _("%(value)s must be 0 or 1.")),
    "hyphen": _simple(lambda v: v == "-", _("%(value)s must be a hyphen.")),
    "pcenc": _simple(
        lambda v: bool(PERCENT_ENCODED.match(v)), _("%(value)s has a broken %%-escape.")
    ),
    "hasnondigit": _simple(
        lambda v: not v.isdigit(), _("%(value)s must contain a character that is not a digit.")
    ),
    "iso3166alpha2": _simple(
        lambda v: len(v) == 2 and v.isalpha() and v.isupper(),
        _("%(value)s is not a two-letter country code."),
    ),
    "pieceoftotal": _simple(
        lambda v: int(v[: len(v) // 2]) >= 1 and int(v[: len(v) // 2]) <= int(v[len(v) // 2 :]),
        _("%(value)s is not a piece number within the total."),
    ),
    "latitude": _simple(lambda v: int(v) <= 1_800_000_000, _("%(value)s is not a latitude.")),
    "longitude": _simple(lambda v: int(v) <= 3_600_000_000, _("%(value)s is not a longitude.")),
    "iban": _simple(
        lambda v: (
            int("".join(str(int(c, 36)) for c in v[4:] + v[:4])) % 97 == 1 if v.isalnum() else False
        ),
        _("%(value)s is not a valid IBAN."),
    ),
}


def lint(name: str, value: str, reference_year: int):
    if name in NOT_CHECKED:
        return None
    check = LINTERS.get(name)
    if check is None:
        return None
    return check(value, reference_year)
