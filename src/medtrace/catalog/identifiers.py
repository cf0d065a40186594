"""A UDI device identifier's value checked by the rules of its issuing agency, and the forms a
typed or scanned text may take when it is looked up.

What is checked (and stored), per agency:
  GS1     a GTIN-8, -12, -13 or -14 with a good mod-10 check digit; stored as GTIN-14.
  HIBCC   an HIBC LIC primary DI: the labeler identification code (4 characters, the first a
          letter), the product or catalogue number (1-18 letters or digits) and the unit-of-
          measure digit. The leading "+" is the HIBC flag character, not data: it is accepted
          and dropped, as GS1's "(01)" is. The mod-43 check character belongs to the printed
          symbol, not to the DI.
  MA      China's IDcode: MA.156.<2 letters or digits>.<registrant digits>.<product code>.
          The MA check character is proprietary, so only the structure is checked.
  ICCBBA  an ISBT 128 Processor Product Identification Code (Data Structure 034): a FIN(P)
          of one letter and four digits, then the processor's product code (1-18 letters or
          digits). The "=/" data identifier is accepted and dropped. Structure only: the
          product code tables are licensed by ICCBBA.
"""

import re
from collections.abc import Callable
from contextlib import suppress

from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import IssuingAgency
from medtrace.scan.checks import CSET82, gs1_check_digit_ok, gs1_check_pair, gtin14

GTIN_LENGTHS = (8, 12, 13, 14)
HIBC_PRIMARY = re.compile(r"^\+?(?P<lic>[A-Z][A-Z0-9]{3})(?P<pcn>[A-Z0-9]{1,18})(?P<uom>[0-9])\Z")
MA_DI = re.compile(r"^MA\.156\.[A-Z0-9]{2}\.[0-9]{1,20}\.[A-Z0-9]{1,30}\Z")
ISBT_PPIC = re.compile(r"^(?:=/)?(?P<fin>[A-Z][0-9]{4})(?P<product>[A-Z0-9]{1,18})\Z")
GMN_MAX_LENGTH = 25


class InvalidIdentifier(ValueError):
    """The text is not a device identifier of the agency; `message` says which rule failed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _gs1(text: str) -> str:
    if not text.isdigit() or len(text) not in GTIN_LENGTHS:
        raise InvalidIdentifier(
            _("A GS1 device identifier is a GTIN of 8, 12, 13 or 14 digits; %(value)s is not.")
            % {"value": text}
        )
    if not gs1_check_digit_ok(text):
        raise InvalidIdentifier(
            _("%(value)s is not a GTIN: its check digit is wrong.") % {"value": text}
        )
    if not text.strip("0"):
        raise InvalidIdentifier(_("A GTIN cannot be all zeros."))
    return gtin14(text)


def _hibcc(text: str) -> str:
    match = HIBC_PRIMARY.match(text.upper())
    if match is None:
        raise InvalidIdentifier(
            _(
                "%(value)s is not an HIBC device identifier: it needs a 4-character labeler "
                "code starting with a letter, a product number of 1-18 letters or digits, "
                "and a unit-of-measure digit."
            )
            % {"value": text}
        )
    return match["lic"] + match["pcn"] + match["uom"]


def _ma(text: str) -> str:
    value = text.upper()
    if MA_DI.match(value) is None:
        raise InvalidIdentifier(
            _(
                "%(value)s is not an MA device identifier: it has the form "
                "MA.156.<2 letters or digits>.<registrant digits>.<product code>, without "
                "the production fields (.L, .S, .E …)."
            )
            % {"value": text}
        )
    return value


def _iccbba(text: str) -> str:
    match = ISBT_PPIC.match(text.upper())
    if match is None:
        raise InvalidIdentifier(
            _(
                "%(value)s is not an ISBT 128 processor product identification code: it "
                "needs a FIN(P) of one letter and four digits, then the product code."
            )
            % {"value": text}
        )
    return match["fin"] + match["product"]


NORMALIZERS: dict[str, Callable[[str], str]] = {
    IssuingAgency.GS1: _gs1,
    IssuingAgency.HIBCC: _hibcc,
    IssuingAgency.MA: _ma,
    IssuingAgency.ICCBBA: _iccbba,
}


def normalize(agency: str, text: str) -> str:
    """The stored form of `text` as a DI of `agency`, or InvalidIdentifier naming the rule."""
    text = (text or "").strip()
    if not text:
        raise InvalidIdentifier(_("Enter the device identifier."))
    if agency not in NORMALIZERS:
        raise InvalidIdentifier(_("%(agency)s is not an issuing agency.") % {"agency": agency})
    return NORMALIZERS[agency](text)


def lookup_keys(text: str) -> set[str]:
    """Every stored form `text` could be: as typed, and as each agency would store it."""
    text = (text or "").strip()
    if not text:
        return set()
    keys = {text, text.upper()}
    for normalizer in NORMALIZERS.values():
        with suppress(InvalidIdentifier):
            keys.add(normalizer(text))
    return keys


def check_gmn(text: str) -> None:
    """A GS1 Basic UDI-DI is a Global Model Number (AI 8013): up to 25 characters of GS1's
    CSET 82 ending in the two check characters computed over the rest."""
    if (
        len(text) < 3
        or len(text) > GMN_MAX_LENGTH
        or any(char not in CSET82 for char in text)
        or gs1_check_pair(text[:-2]) != text[-2:]
    ):
        raise InvalidIdentifier(
            _(
                "%(value)s is not a GS1 Basic UDI-DI (GMN): up to 25 letters and digits "
                "ending in two check characters."
            )
            % {"value": text}
        )
