"""Cells: how one value of a sheet is read (parsers that name the rule a bad value breaks) and
written (formula-injection escaping). The same functions serve CSV and .xlsx: an .xlsx cell may
already be a number, a date or a boolean, a CSV cell is always text.

Formula injection: a text that starts with = + - @ (or a tab or carriage return) is what a
spreadsheet may run as a formula, so an export writes it with a leading apostrophe, as a person
typing it into Excel would. An apostrophe that already starts a value is doubled for the same
reason, so reading drops exactly one apostrophe in front of those characters and what was
exported reads back unchanged.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_STARTS = (*FORMULA_STARTS, "'")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:\d{2})?\Z")
INTEGER = re.compile(r"^[+-]?\d+\Z")
DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)\Z")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "是"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "否"})


class CellError(ValueError):
    """A cell's value breaks a rule: `rule` is a stable name, `message` says it to a person."""

    def __init__(self, rule: str, message):
        super().__init__(str(message))
        self.rule = rule
        self.message = message


def escape(text: str) -> str:
    """Text safe to put in a spreadsheet cell (see the module docstring)."""
    return "'" + text if text.startswith(ESCAPED_STARTS) else text


def unescape(text: str) -> str:
    """The value an escaped cell stands for; text that was never escaped is left alone."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(ESCAPED_STARTS):
        return text[1:]
    return text


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """The cell as the text a person sees: numbers without a trailing '.0', dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return unescape(str(value).strip())


# Parsers: each takes a non-empty cell and returns the value, or raises CellError.


def text(max_length: int | None = None, *, upper: bool = False) -> Callable[[Any], str]:
    def parse(value):
        result = as_text(value)
        if upper:
            result = result.upper()
        if max_length is not None and len(result) > max_length:
            raise CellError(
                "max_length",
                _("At most %(max)s characters (this has %(length)s).")
                % {"max": max_length, "length": len(result)},
            )
        return result

    return parse


def integer(minimum: int | None = None) -> Callable[[Any], int]:
    def parse(value):
        if isinstance(value, bool):
            raise CellError("integer", _("Write a whole number."))
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            written = as_text(value)
            if not INTEGER.match(written):
                raise CellError("integer", _("Write a whole number, e.g. 365."))
            number = int(written)
        if minimum is not None and number < minimum:
            raise CellError("min_value", _("Must be %(minimum)s or more.") % {"minimum": minimum})
        return number

    return parse


def decimal(*, max_digits: int, decimal_places: int, minimum: Decimal | None = None):
    """A decimal number written with a '.' (no thousands separators, no exponent)."""
    limit = Decimal(10) ** (max_digits - decimal_places)

    def parse(value):
        if isinstance(value, bool):
            raise CellError("decimal", _("Write a number with a '.' for decimals, e.g. 2.5."))
        if isinstance(value, int | float | Decimal):
            # An .xlsx number cell: its shortest decimal form (0.1, not 0.1000000000000000055).
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            written = as_text(value)
            number = Decimal(written) if DECIMAL.match(written) else None
        if number is None or not number.is_finite():
            raise CellError("decimal", _("Write a number with a '.' for decimals, e.g. 2.5."))
        number = number.normalize() if number != 0 else Decimal(0)
        if number.as_tuple().exponent < -decimal_places:
            raise CellError(
                "decimal_places",
                _("At most %(places)s decimal places.") % {"places": decimal_places},
            )
        if abs(number) >= limit:
            raise CellError(
                "max_digits",
                _("Too large: at most %(digits)s digits before the decimal point.")
                % {"digits": max_digits - decimal_places},
            )
        if minimum is not None and number < minimum:
            raise CellError("min_value", _("Must be %(minimum)s or more.") % {"minimum": minimum})
        return number

    return parse


def iso_date(value) -> date:
    """A date as YYYY-MM-DD (or an Excel date cell)."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError("date", _("Write a date without a time, as YYYY-MM-DD."))
        return value.date()
    if isinstance(value, date):
        return value
    written = as_text(value)
    if not ISO_DATE.match(written):
        raise CellError("date", _("Write the date as YYYY-MM-DD, e.g. 2026-03-14."))
    try:
        return date.fromisoformat(written)
    except ValueError:
        raise CellError("date", _("%(value)s is not a date.") % {"value": written}) from None


def iso_datetime(value) -> datetime:
    """A moment as YYYY-MM-DD HH:MM[:SS] (a date alone is its midnight), with an offset or
    without one (then the site's local time, which the kind applies), or an Excel date cell."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    written = as_text(value)
    if not ISO_DATETIME.match(written):
        raise CellError("datetime", _("Write the time as YYYY-MM-DD HH:MM, e.g. 2025-11-03 14:30."))
    try:
        return datetime.fromisoformat(written.replace("Z", "+00:00"))
    except ValueError:
        raise CellError("datetime", _("%(value)s is not a time.") % {"value": written}) from None


def yes_no(value) -> bool:
    """yes / no (also 是 / 否, true / false, 1 / 0, or an Excel TRUE / FALSE cell)."""
    if isinstance(value, bool):
        return value
    word = as_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("yes_no", _("Write yes or no (是 or 否)."))


def choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    """One of the choices' values, whatever its letter case."""
    by_folded = {value.casefold(): value for value in choices.values}

    def parse(value):
        written = as_text(value)
        found = by_folded.get(written.casefold())
        if found is None:
            raise CellError(
                "choice",
                _("%(value)s is not one of: %(allowed)s.")
                % {"value": written, "allowed": ", ".join(choices.values)},
            )
        return found

    parse.choices = choices
    return parse


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (a stable English key), what it means (`label`,
    translated), whether every row needs it, and how a cell of it is read."""

    key: str
    label: Any
    parse: Callable[[Any], Any]
    required: bool = False
    help: Any = ""
    choices: type[models.TextChoices] | None = field(default=None)

    def read(self, value):
        """The parsed value, or None for an empty optional cell."""
        if is_empty(value):
            if self.required:
                raise CellError("required", _("Required: this cell cannot be empty."))
            return None
        return self.parse(value)

    @property
    def allowed(self) -> str:
        """What the template says a cell may hold."""
        if self.choices is not None:
            return ", ".join(self.choices.values)
        return str(self.help)


def cell_for_export(value):
    """A value as an export writes it: text escaped, booleans as yes/no, decimals without an
    exponent; numbers and dates stay numbers and dates (an .xlsx keeps their type)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        normalized = value.normalize()
        return int(normalized) if normalized == normalized.to_integral_value() else normalized
    if isinstance(value, int | date):
        return value
    return escape(str(value))
