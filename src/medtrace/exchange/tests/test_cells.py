"""Cell parsers and formula-injection escaping, over open-ended inputs."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.exchange.cells import (
    CellError,
    Column,
    as_text,
    cell_for_export,
    choice,
    decimal,
    escape,
    integer,
    iso_date,
    text,
    unescape,
    yes_no,
)
from medtrace.exchange.choices import FileFormat

quantity = decimal(max_digits=14, decimal_places=4, minimum=Decimal("0.0001"))


@given(st.text())
def test_escape_then_unescape_gives_the_text_back(value):
    assert unescape(escape(value)) == value


@given(st.text())
def test_an_escaped_value_never_starts_like_a_formula(value):
    assert not escape(value).startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("+86 21 5999 3030", "'+86 21 5999 3030"),
        ("-5%", "'-5%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
    ],
)
def test_export_escapes_formula_starts(value, exported):
    assert cell_for_export(value) == exported
    assert as_text(exported) == value


@given(
    st.decimals(
        min_value=Decimal("0.0001"),
        max_value=Decimal("9999999999.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_decimal_reads_back_what_export_writes(number):
    written = cell_for_export(number)
    as_csv = written if isinstance(written, int) else format(written, "f")
    assert quantity(str(as_csv)) == number
    assert quantity(written) == number  # an .xlsx number cell


@given(st.floats(min_value=0.0001, max_value=1e9, allow_nan=False))
def test_decimal_from_an_excel_float_is_its_shortest_form(number):
    try:
        parsed = decimal(max_digits=30, decimal_places=20)(number)
    except CellError:
        return
    assert parsed == Decimal(repr(number))


@given(st.text())
def test_decimal_either_parses_or_names_a_rule(value):
    try:
        result = quantity(value)
    except CellError as error:
        assert error.rule in {"decimal", "decimal_places", "max_digits", "min_value"}
    else:
        assert isinstance(result, Decimal) and result.is_finite() and result > 0


@pytest.mark.parametrize("value", ["1,5", "1e3", "NaN", "Infinity", "1.2.3", "", "abc", True])
def test_decimal_refuses(value):
    with pytest.raises(CellError):
        quantity(value)


def test_decimal_limits():
    with pytest.raises(CellError) as error:
        quantity("0.00001")
    assert error.value.rule == "decimal_places"
    with pytest.raises(CellError) as error:
        quantity("10000000000")
    assert error.value.rule == "max_digits"
    assert quantity("2.50") == Decimal("2.5") and quantity("'+3") == Decimal(3)


@given(st.dates())
def test_date_reads_iso_text_and_excel_dates(day):
    assert iso_date(day.isoformat()) == day
    assert iso_date(datetime(day.year, day.month, day.day)) == day
    assert iso_date(day) == day


@given(st.text())
def test_date_either_parses_or_names_the_rule(value):
    try:
        result = iso_date(value)
    except CellError as error:
        assert error.rule == "date"
    else:
        assert result.isoformat() == value.strip()


@pytest.mark.parametrize("value", ["2026-02-30", "14/03/2026", "20260314", "2026-3-14"])
def test_date_refuses(value):
    with pytest.raises(CellError):
        iso_date(value)


def test_date_refuses_a_time_of_day():
    with pytest.raises(CellError):
        iso_date(datetime(2026, 3, 14, 8, 30))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("YES", True), ("是", True), (" y ", True), (True, True), (1, True),
     ("no", False), ("否", False), ("False", False), (False, False), (0, False)],
)  # fmt: skip
def test_yes_no(value, expected):
    assert yes_no(value) is expected


@given(st.text())
def test_yes_no_either_parses_or_names_the_rule(value):
    try:
        result = yes_no(value)
    except CellError as error:
        assert error.rule == "yes_no"
    else:
        assert result in (True, False)


def test_choice_and_integer_and_text():
    parse = choice(FileFormat)
    assert parse("XLSX") == "xlsx"
    with pytest.raises(CellError) as error:
        parse("xls")
    assert "xls is not one of: xlsx, csv." in str(error.value.message)
    assert integer(minimum=1)(365.0) == 365 and integer()("'-3") == -3
    for bad in ("3.5", 3.5, True, "x"):
        with pytest.raises(CellError):
            integer()(bad)
    assert text(upper=True)(" rm-pvc ") == "RM-PVC"
    assert text()(9506000100111) == "9506000100111"
    with pytest.raises(CellError) as error:
        text(3)("abcd")
    assert error.value.rule == "max_length"


def test_a_required_column_refuses_an_empty_cell():
    column = Column("code", "code", text(), required=True)
    for empty in (None, "", "   "):
        with pytest.raises(CellError) as error:
            column.read(empty)
        assert error.value.rule == "required"
    assert Column("note", "note", text()).read("  ") is None


def test_export_cell_types():
    assert cell_for_export(None) == ""
    assert cell_for_export(True) == "yes" and cell_for_export(False) == "no"
    assert cell_for_export(Decimal("2.0000")) == 2
    assert cell_for_export(Decimal("1E+2")) == 100
    assert cell_for_export(Decimal("0.0125")) == Decimal("0.0125")
    assert cell_for_export(date(2026, 3, 14)) == date(2026, 3, 14)
