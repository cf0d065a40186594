"""China's MA (IDcode) UDI: structure only, the check character being proprietary."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, parse

YEAR = 2026
DI = "MA.156.M0.100350.01004YA10017"


def read(*codes):
    return parse(list(codes), reference_year=YEAR).as_dict()


def refused(*codes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        parse(list(codes), reference_year=YEAR)
    return caught.value


def test_di_and_production_fields():
    result = read(f"{DI}.SLMSAGAAAC.M210628.LAY21062803.E220628.C3")
    assert (result["scheme"], result["device_identifier"]) == ("ma", DI)
    assert (result["lot"], result["serial"]) == ("AY21062803", "LMSAGAAAC")
    assert (result["production_date"], result["expiry"]) == ("2021-06-28", "2022-06-28")
    assert result["ais"] == {} and result["gtin"] is None and result["warnings"] == []


def test_di_alone_and_the_symbology():
    result = read("]Q1MA.156.M0.100204.13351764")
    assert (result["device_identifier"], result["symbology"]) == ("MA.156.M0.100204.13351764", "QR")
    assert result["lot"] is None


def test_v_d_and_unknown_fields_are_kept_as_warnings_not_interpreted():
    result = read(f"{DI}.Sx00008.D20220118.V220117.P190101.C3")
    assert result["serial"] == "x00008"
    assert result["warnings"] == [
        f"MA field “.{field}” was kept as read, not interpreted."
        for field in ("D20220118", "V220117", "P190101")
    ]


def test_eight_digit_dates_and_the_century_rule():
    assert read(f"{DI}.E20301231")["expiry"] == "2030-12-31"
    assert read(f"{DI}.M991231")["production_date"] == "1999-12-31"


def test_the_prefix_is_read_case_insensitively_and_given_canonically():
    assert read("ma.156.m0.100350.01004YA10017")["device_identifier"] == DI


@pytest.mark.parametrize(
    "code, ai",
    [
        ("MA.156.M0.100350", "prefix"),
        ("MA.840.M0.100350.01004YA10017", "prefix"),
        ("MA.156.M1.100350.01004YA10017", "prefix"),
        ("MA.156.M0.10035.01004YA10017", "registrant"),
        ("MA.156.M0.10035A.01004YA10017", "registrant"),
        ("MA.156.M0.100350.01004-YA", "product"),
        ("MA.156.M0.100350.", "product"),
        (f"{DI}..L1", "fields"),
        (f"{DI}.l1", "fields"),
        (f"{DI}.1L", "fields"),
        (f"{DI}.L", "lot"),
        (f"{DI}.LA-1", "lot"),
        (f"{DI}.L1.L2", "lot"),
        (f"{DI}.C3.L1", "check"),
        (f"{DI}.L1.C34", "check"),
        (f"{DI}.E2206", "expiry"),
        (f"{DI}.M2106281", "production_date"),
        (f"{DI}.VAB-1", "V"),
    ],
)
def test_malformed_codes_say_which_part(code, ai):
    error = refused(code)
    assert (error.code, error.ai) == (ScanErrorCode.MA_MALFORMED, ai)
    assert error.as_dict()["error"]["message"]


@pytest.mark.parametrize("field", ["E221332", "M210230", "E20221301"])
def test_impossible_dates(field):
    assert refused(f"{DI}.{field}").code == ScanErrorCode.INVALID_DATE


def test_an_ma_code_does_not_merge_with_another_scheme():
    assert refused(DI, "]d20109506000134352").code == ScanErrorCode.UNSUPPORTED


@given(st.text(max_size=60))
def test_ma_codes_never_raise_anything_but_scan_error(text):
    for prefix in ("MA.", "MA.156.M0.", f"{DI}.", f"{DI}.E", f"{DI}.M"):
        with contextlib.suppress(ScanError):
            parse(prefix + text, reference_year=YEAR)
