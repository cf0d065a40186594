"""HIBC LIC: primary, secondary and concatenated data, the mod-43 check and the link character."""

import contextlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, parse
from medtrace.scan.checks import HIBC_CHARSET, hibc_check_character

YEAR = 2026
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def checked(data: str) -> str:
    return data + hibc_check_character(data)


def wrong_check(data: str) -> str:
    return data + ("%" if hibc_check_character(data) != "%" else "-")


def secondary(data: str, primary: str) -> str:
    """A separate secondary symbol: its data, the primary's check as link, its own check."""
    return checked(data + primary[-1])


def read(*codes):
    return parse(list(codes), reference_year=YEAR).as_dict()


def refused(*codes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        parse(list(codes), reference_year=YEAR)
    return caught.value


PRIMARY = checked("+A99912345")


def test_primary():
    result = read(PRIMARY)
    assert result["scheme"] == "hibc"
    assert (result["lic"], result["pcn"], result["uom"]) == ("A999", "1234", "5")
    assert result["device_identifier"] == "+A99912345"
    assert result["ais"] == {} and result["lot"] is None


def test_code_39_start_and_stop_characters_and_the_symbology():
    assert read("]A0*" + PRIMARY + "*")["device_identifier"] == "+A99912345"
    assert read("]A0*" + PRIMARY + "*")["symbology"] == "CODE_39"


def test_concatenated_with_supplementary_serial_and_production_date():
    result = read(checked("+X999123ABC0/$$05191234AB/S5678EDFG/16D20151001"))
    assert (result["lic"], result["pcn"], result["uom"]) == ("X999", "123ABC", "0")
    assert (result["lot"], result["serial"]) == ("1234AB", "5678EDFG")
    assert (result["expiry"], result["production_date"]) == ("2019-05-31", "2015-10-01")


def test_concatenated_julian_expiry():
    result = read(checked("+A99912345/$$52001510X3"))
    assert (result["expiry"], result["lot"]) == ("2020-01-15", "10X3")


@pytest.mark.parametrize(
    "data, expiry, lot, serial",
    [
        ("+$$1226LOT1", "2026-12-31", "LOT1", None),  # MMYY: the month's last day
        ("+$$2123126LOT1", "2026-12-31", "LOT1", None),  # MMDDYY
        ("+$$3261231LOT1", "2026-12-31", "LOT1", None),  # YYMMDD
        ("+$$426123123LOT1", "2026-12-31", "LOT1", None),  # YYMMDDHH
        ("+$$524366LOT1", "2024-12-31", "LOT1", None),  # YYJJJ, leap year
        ("+$$62636523LOT1", "2026-12-31", "LOT1", None),  # YYJJJHH
        ("+$$7LOT1", None, "LOT1", None),  # no date
        ("+$$+1226SER1", "2026-12-31", None, "SER1"),
        ("+$$+7SER1", None, None, "SER1"),
        ("+$LOT1", None, "LOT1", None),
        ("+$+SER1", None, None, "SER1"),
        ("+26365LOT1", "2026-12-31", "LOT1", None),  # the older YYJJJ form
        ("+$$3261231LOT1/14D20261231", "2026-12-31", "LOT1", None),
        ("+$$7LOT1/S123/16D20250101", None, "LOT1", "123"),
    ],
)
def test_secondary_formats(data, expiry, lot, serial):
    result = read(PRIMARY, secondary(data, PRIMARY))
    assert (result["expiry"], result["lot"], result["serial"]) == (expiry, lot, serial)
    assert result["device_identifier"] == "+A99912345"


def test_supplementary_expiry_alone():
    assert read(PRIMARY, secondary("+$LOT1/14D20261130", PRIMARY))["expiry"] == "2026-11-30"


@pytest.mark.parametrize(
    "data, count, expiry", [("+$$8127LOT1", 12, None), ("+$$9001201226LOT1", 120, "2026-12-31")]
)
def test_quantity(data, count, expiry):
    result = read(PRIMARY, secondary(data, PRIMARY))
    assert (result["count"], result["expiry"], result["lot"]) == (count, expiry, "LOT1")


def test_the_secondary_may_come_first():
    assert read(secondary("+$LOT1", PRIMARY), PRIMARY)["lot"] == "LOT1"


def test_unknown_supplementary_data_is_ignored_with_a_warning():
    result = read(checked("+A99912345/$$7LOT1/Q100"))
    assert result["lot"] == "LOT1"
    assert result["warnings"] == ["Supplementary HIBC data “/Q100” was not read."]


def test_a_secondary_alone_is_read_with_a_warning():
    result = read(secondary("+$LOT1", PRIMARY))
    assert result["lot"] == "LOT1" and result["device_identifier"] is None
    assert len(result["warnings"]) == 1


def test_a_space_check_character_survives_trimming():
    pcn = next(
        "".join(chars)
        for chars in itertools.product(ALPHANUMERIC, repeat=3)
        if hibc_check_character("+A999" + "".join(chars) + "1") == " "
    )
    code = "+A999" + pcn + "1 "
    assert read(code + "\r\n")["pcn"] == pcn
    assert read("*" + code + "*")["pcn"] == pcn


@pytest.mark.parametrize(
    "codes, code, ai",
    [
        (["+A99912345X"], ScanErrorCode.HIBC_BAD_CHECK, "check"),
        ([wrong_check("+A99912345/$$7LOT1")], ScanErrorCode.HIBC_BAD_CHECK, "check"),
        ([wrong_check("+$LOT1A")], ScanErrorCode.HIBC_BAD_CHECK, "check"),
        ([checked("+1A9912345")], ScanErrorCode.HIBC_INVALID_LIC, "lic"),
        ([checked("+A-9912345")], ScanErrorCode.HIBC_INVALID_LIC, "lic"),
        ([checked("+A99")], ScanErrorCode.HIBC_INVALID_LIC, "lic"),
        ([PRIMARY, checked("+$LOT1Z")], ScanErrorCode.HIBC_LINK_MISMATCH, "link"),
        ([PRIMARY, PRIMARY], ScanErrorCode.UNSUPPORTED, None),
        ([secondary("+$L1", PRIMARY), secondary("+$L2", PRIMARY)], ScanErrorCode.UNSUPPORTED, None),
        ([checked("+A99912345/$L1"), secondary("+$L1", PRIMARY)], ScanErrorCode.UNSUPPORTED, None),
        ([PRIMARY, "]d20109506000134352"], ScanErrorCode.UNSUPPORTED, None),
        (["+a99912345"], ScanErrorCode.INVALID_CHARACTER, None),
        ([checked("+A999")], ScanErrorCode.VALUE_TOO_SHORT, "pcn"),
        (["+"], ScanErrorCode.VALUE_TOO_SHORT, None),
        ([checked("+A9991234X")], ScanErrorCode.INVALID_CHARACTER, "uom"),
        ([checked("+A999" + "1" * 19 + "5")], ScanErrorCode.VALUE_TOO_LONG, "pcn"),
        ([checked("+A99912$345")], ScanErrorCode.INVALID_CHARACTER, "pcn"),
        ([checked("+A99912345/$$1326LOT1")], ScanErrorCode.INVALID_DATE, "expiry"),
        ([checked("+A99912345/$$3260231LOT1")], ScanErrorCode.INVALID_DATE, "expiry"),
        ([checked("+A99912345/$$426123124LOT1")], ScanErrorCode.INVALID_DATE, "expiry"),
        ([checked("+A99912345/$$526366LOT1")], ScanErrorCode.INVALID_DATE, "expiry"),
        ([checked("+A99912345/$$2")], ScanErrorCode.INVALID_DATE, "expiry"),
        ([checked("+A99912345/$L1/16D20251301")], ScanErrorCode.INVALID_DATE, "production_date"),
        ([checked("+A99912345/$$8AB")], ScanErrorCode.INVALID_CHARACTER, "quantity"),
        ([checked("+A99912345/$$ALOT1")], ScanErrorCode.INVALID_CHARACTER, "expiry"),
        ([checked("+A99912345/$")], ScanErrorCode.VALUE_TOO_SHORT, "lot"),
        ([checked("+A99912345/")], ScanErrorCode.VALUE_TOO_SHORT, None),
        ([checked("+A99912345/$L1//S1")], ScanErrorCode.VALUE_TOO_SHORT, None),
        ([checked("+A99912345/$L1/S")], ScanErrorCode.VALUE_TOO_SHORT, "serial"),
        ([checked("+A99912345/$$7" + "L" * 19)], ScanErrorCode.VALUE_TOO_LONG, "lot"),
        ([checked("+A99912345/$L%1")], ScanErrorCode.INVALID_CHARACTER, "lot"),
        ([checked("+A99912345/$+S1/S2")], ScanErrorCode.DUPLICATE_AI_CONFLICT, "serial"),
        ([secondary("+$$X", PRIMARY)], ScanErrorCode.INVALID_CHARACTER, "expiry"),
        ([checked("+$")], ScanErrorCode.VALUE_TOO_SHORT, None),
    ],
)
def test_refusals_name_the_rule(codes, code, ai):
    error = refused(*codes)
    assert (error.code, error.ai) == (code, ai)
    assert error.as_dict()["error"]["message"]


# Property tests --------------------------------------------------------------------------

lics = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(ALPHANUMERIC[10:]),
    st.text(ALPHANUMERIC, min_size=3, max_size=3),
)
pcns = st.text(ALPHANUMERIC, min_size=1, max_size=18)
uoms = st.sampled_from("0123456789")


@given(lics, pcns, uoms)
def test_any_valid_primary_round_trips(lic, pcn, uom):
    result = parse(checked(f"+{lic}{pcn}{uom}"), reference_year=YEAR)
    assert (result.lic, result.pcn, result.uom) == (lic, pcn, uom)
    assert result.device_identifier == f"+{lic}{pcn}{uom}"


@given(lics, pcns, uoms, st.sampled_from(HIBC_CHARSET))
def test_a_changed_check_character_is_always_hibc_bad_check(lic, pcn, uom, wrong):
    data = f"+{lic}{pcn}{uom}"
    if wrong == hibc_check_character(data):
        return
    with pytest.raises(ScanError) as caught:
        parse(data + wrong, reference_year=YEAR)
    assert caught.value.code == ScanErrorCode.HIBC_BAD_CHECK


@given(st.text(max_size=40))
def test_hibc_never_raises_anything_but_scan_error(text):
    for code in ("+" + text, "*+" + text):
        with contextlib.suppress(ScanError):
            parse(code, reference_year=YEAR)


@given(st.text(HIBC_CHARSET, max_size=30))
def test_checked_hibc_text_never_raises_anything_but_scan_error(text):
    for prefix in ("+", "+$$", "+A999", "+A99912345/$$", "+A99912345/$L1/"):
        with contextlib.suppress(ScanError):
            parse(checked(prefix + text), reference_year=YEAR)
