"""GS1 element strings and bracketed text, validated by GS1's syntax dictionary."""

import contextlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, dictionary, linters, parse
from medtrace.scan.checks import CSET82, gs1_check_digit, gs1_check_pair

GS = "\x1d"
YEAR = 2026
SHARED_DICTIONARY = Path(__file__).parents[5] / "shared/standards/gs1/gs1-syntax-dictionary.txt"


def read(*codes):
    return parse(list(codes), reference_year=YEAR).as_dict()


def refused(*codes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        parse(list(codes), reference_year=YEAR)
    return caught.value


def test_the_vendored_dictionary_is_gs1s_file_unmodified():
    if not SHARED_DICTIONARY.exists():
        pytest.skip("../shared/standards is not beside this checkout")
    assert dictionary.DICTIONARY_FILE.read_bytes() == SHARED_DICTIONARY.read_bytes()


def test_every_linter_the_dictionary_names_is_known():
    named = {
        linter
        for entry in dictionary.entries().values()
        for component in entry.components
        for linter in component.linters
    }
    assert named <= set(linters.LINTERS) | linters.NOT_CHECKED


def test_datamatrix_with_separators():
    result = read("]d2010950600013435217261231" + GS + "10A1B2" + GS + "21S123")
    assert result["symbology"] == "GS1_DATAMATRIX"
    assert (result["gtin"], result["lot"], result["serial"]) == ("09506000134352", "A1B2", "S123")
    assert result["expiry"] == "2026-12-31"
    assert (
        result["digital_link"] == "https://id.gs1.org/01/09506000134352/10/A1B2/21/S123?17=261231"
    )


@pytest.mark.parametrize(
    "prefix, name", [("]d2", "GS1_DATAMATRIX"), ("]C1", "GS1_128"), ("]Q3", "GS1_QR")]
)
def test_symbology_identifiers(prefix, name):
    assert read(prefix + "0109506000134352")["symbology"] == name


def test_bracketed_text_and_separator_spellings():
    assert read("(01)09506000134352(11)250100(10)L-9")["production_date"] == "2025-01-31"
    assert read("0109506000134352<GS>10L1")["lot"] == "L1"
    assert read("]C1" + GS + "0109506000134352")["gtin"] == "09506000134352"


def test_sscc_and_count():
    sscc = "09506000134352855" + gs1_check_digit("09506000134352855")
    result = read("]C100" + sscc + "0209506000134352" + "37" + "12")
    assert result["sscc"] == sscc and result["count"] == 12


@pytest.mark.parametrize(
    "yymmdd, expected",
    [
        ("261231", "2026-12-31"),
        ("260200", "2026-02-28"),
        ("280200", "2028-02-29"),
        ("760101", "2076-01-01"),
        ("770101", "1977-01-01"),
    ],
)
def test_dates_last_day_and_century(yymmdd, expected):
    assert read(f"(01)09506000134352(17){yymmdd}")["expiry"] == expected


def test_missing_separator_is_read_literally_with_a_warning():
    result = read("]d2010950600013435210ABC17261231")
    assert result["lot"] == "ABC17261231" and result["expiry"] is None
    assert result["warnings"]


@pytest.mark.parametrize(
    "codes, code, ai",
    [
        (["]d20109506000134353"], ScanErrorCode.BAD_CHECK_DIGIT, "01"),
        (["]d2" + "0109506000134352" + "10" + "X" * 21], ScanErrorCode.VALUE_TOO_LONG, "10"),
        (["]d201095060001343"], ScanErrorCode.VALUE_TOO_SHORT, "01"),
        (["(01)09506000134352(17)261331"], ScanErrorCode.INVALID_DATE, "17"),
        (["(01)09506000134352(10)LOT#1"], ScanErrorCode.INVALID_CHARACTER, "10"),
        (["]d2(10)A1"], ScanErrorCode.UNKNOWN_AI, None),
        (["]d210A1"], ScanErrorCode.MISSING_REQUIRED_AI, "10"),
        (["(01)09506000134352(02)09506000134352(37)5"], ScanErrorCode.INVALID_AI_PAIR, None),
        (
            ["(01)09506000134352(10)A", "(01)09506000134352(10)B"],
            ScanErrorCode.DUPLICATE_AI_CONFLICT,
            "10",
        ),
        (["]d2"], ScanErrorCode.EMPTY_DATA, None),
        (["   "], ScanErrorCode.EMPTY_DATA, None),
    ],
)
def test_refusals_name_the_rule(codes, code, ai):
    error = refused(*codes)
    assert error.code == code
    if ai:
        assert error.ai == ai
    assert str(error.message)


def test_an_ai_repeated_with_the_same_value_is_fine():
    assert read("(01)09506000134352(10)A", "(01)09506000134352(10)A")["lot"] == "A"


def test_di_and_production_identifiers_in_separate_symbols_merge():
    result = read("]d20109506000134352", "]d21726123110LOT7")
    assert (result["gtin"], result["lot"], result["expiry"]) == (
        "09506000134352",
        "LOT7",
        "2026-12-31",
    )


def test_production_identifiers_alone_lack_their_key():
    assert refused("]d21726123110LOT7").code == ScanErrorCode.MISSING_REQUIRED_AI


def test_gmn_check_characters():
    assert gs1_check_pair("1987654Ad4X4bL5ttr2310c") == "2K"
    assert read("(8013)1987654Ad4X4bL5ttr2310c2K")["ais"]["8013"].endswith("2K")
    assert refused("(8013)1987654Ad4X4bL5ttr2310c2L").code == ScanErrorCode.BAD_CHECK_DIGIT


def test_plain_text_is_an_internal_number():
    result = read("WO-2026-0042")
    assert result["scheme"] == "internal" and result["text"] == "WO-2026-0042"


# Property tests --------------------------------------------------------------------------

gtin_bodies = st.text("0123456789", min_size=13, max_size=13)
lots = st.text(st.sampled_from(CSET82), min_size=1, max_size=20)
expiries = st.dates(min_value=date(1977, 1, 1), max_value=date(2075, 12, 31))


@given(gtin_bodies, lots, st.one_of(st.none(), expiries), st.one_of(st.none(), lots))
def test_any_valid_message_round_trips(body, lot, expiry, serial):
    gtin = body + gs1_check_digit(body)
    data = "01" + gtin
    expected = {"01": gtin, "10": lot}
    if expiry:
        data += "17" + expiry.strftime("%y%m%d")
        expected["17"] = expiry.strftime("%y%m%d")
    data += "10" + lot
    if serial:
        data += GS + "21" + serial
        expected["21"] = serial
    result = parse("]d2" + data, reference_year=YEAR)
    assert result.ais == expected
    assert result.expiry == expiry
    hri = "".join(f"({ai}){value}" for ai, value in expected.items())
    if "(" not in lot and "(" not in (serial or ""):
        assert parse(hri, reference_year=YEAR).ais == expected


@given(gtin_bodies, st.integers(1, 9))
def test_a_wrong_check_digit_is_always_bad_check_digit(body, shift):
    wrong = str((int(gs1_check_digit(body)) + shift) % 10)
    with pytest.raises(ScanError) as caught:
        parse("]d201" + body + wrong, reference_year=YEAR)
    assert caught.value.code == ScanErrorCode.BAD_CHECK_DIGIT


@given(st.text(max_size=60))
def test_element_strings_never_raise_anything_but_scan_error(text):
    with contextlib.suppress(ScanError):
        parse("]d2" + text, reference_year=YEAR)


@given(st.integers(0, 99), st.integers(1900, 2200))
def test_century_rule_stays_within_the_window(two_digits, reference):
    year = linters.full_year(two_digits, reference)
    assert year % 100 == two_digits and reference - 49 <= year <= reference + 50
