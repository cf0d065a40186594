"""EPC URNs (GS1 Tag Data Standard) read as the GS1 keys they encode."""

import contextlib
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, parse
from medtrace.scan.checks import gs1_check_digit_ok

YEAR = 2026


def read(*codes):
    return parse(list(codes), reference_year=YEAR).as_dict()


def refused(*codes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        parse(list(codes), reference_year=YEAR)
    return caught.value


# The examples of the EPC Tag Data Standard.
def test_sgtin_indicator_digit_leads_and_the_check_digit_is_computed():
    result = read("urn:epc:id:sgtin:0614141.812345.6789")
    assert result["ais"] == {"01": "80614141123458", "21": "6789"}
    assert result["digital_link"] == "https://id.gs1.org/01/80614141123458/21/6789"


def test_sgtin_serial_is_unescaped_and_may_hold_dots():
    assert read("urn:epc:id:sgtin:0614141.812345.A%2FB.1%25")["serial"] == "A/B.1%"


def test_lgtin_class_is_gtin_and_lot():
    result = read("urn:epc:class:lgtin:4012345.012345.998877")
    assert result["ais"] == {"01": "04012345123456", "10": "998877"}


def test_sscc_extension_digit_leads():
    assert read("urn:epc:id:sscc:0614141.1234567890")["sscc"] == "106141412345678908"


def test_sgln_with_and_without_extension():
    assert read("urn:epc:id:sgln:0614141.12345.400")["ais"] == {
        "414": "0614141123452",
        "254": "400",
    }
    assert read("urn:epc:id:sgln:0614141.12345.0")["ais"] == {"414": "0614141123452"}
    assert read("urn:epc:id:sgln:061414112345..0")["ais"] == {"414": "0614141123452"}


def test_the_urn_prefix_is_case_insensitive_and_symbologies_pass_through():
    result = read("]Q1URN:EPC:ID:SGTIN:0614141.812345.6789")
    assert (result["gtin"], result["symbology"]) == ("80614141123458", "QR")


def test_an_urn_and_an_element_string_of_one_label_merge():
    result = read("urn:epc:id:sgtin:0614141.812345.6789", "]d217261231")
    assert (result["serial"], result["expiry"]) == ("6789", "2026-12-31")


@pytest.mark.parametrize(
    "urn, code, ai",
    [
        ("urn:epc:idpat:sgtin:0614141.812345.*", ScanErrorCode.UNSUPPORTED, None),
        ("urn:epc:id:giai:0614141.12345400", ScanErrorCode.UNSUPPORTED, None),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.6789", ScanErrorCode.UNSUPPORTED, None),
        ("urn:epc:raw:96.x1234", ScanErrorCode.UNSUPPORTED, None),
        ("urn:epc:", ScanErrorCode.UNSUPPORTED, None),
        ("urn:epc:id:sgtin:06141A1.812345.6789", ScanErrorCode.INVALID_CHARACTER, "01"),
        ("urn:epc:id:sgtin:0614141.81234X.6789", ScanErrorCode.INVALID_CHARACTER, "01"),
        ("urn:epc:id:sgtin:06141.81234567.6789", ScanErrorCode.VALUE_TOO_SHORT, "01"),
        ("urn:epc:id:sgtin:0614141123456.8.6789", ScanErrorCode.VALUE_TOO_LONG, "01"),
        ("urn:epc:id:sgtin:0614141.81234.6789", ScanErrorCode.VALUE_TOO_SHORT, "01"),
        ("urn:epc:id:sgtin:0614141.8123456.6789", ScanErrorCode.VALUE_TOO_LONG, "01"),
        ("urn:epc:id:sgtin:0614141.812345", ScanErrorCode.VALUE_TOO_SHORT, "01"),
        ("urn:epc:id:sgtin:0614141.812345.A/B", ScanErrorCode.INVALID_CHARACTER, "21"),
        ("urn:epc:id:sgtin:0614141.812345.A%2", ScanErrorCode.INVALID_CHARACTER, "21"),
        ("urn:epc:id:sgtin:0614141.812345.", ScanErrorCode.VALUE_TOO_SHORT, "21"),
        (f"urn:epc:id:sgtin:0614141.812345.{'9' * 21}", ScanErrorCode.VALUE_TOO_LONG, "21"),
        ("urn:epc:class:lgtin:4012345.012345.A?", ScanErrorCode.INVALID_CHARACTER, "10"),
        ("urn:epc:id:sscc:0614141.123456789", ScanErrorCode.VALUE_TOO_SHORT, "00"),
        ("urn:epc:id:sscc:0614141.12345678901", ScanErrorCode.VALUE_TOO_LONG, "00"),
        ("urn:epc:id:sscc:0614141.1234567890.1", ScanErrorCode.INVALID_CHARACTER, "00"),
        ("urn:epc:id:sgln:0614141.1234.400", ScanErrorCode.VALUE_TOO_SHORT, "414"),
        ("urn:epc:id:sgln:0614141.12345", ScanErrorCode.VALUE_TOO_SHORT, "414"),
        ("urn:epc:id:sgln:0614141.12345.", ScanErrorCode.VALUE_TOO_SHORT, "254"),
    ],
)
def test_refusals_name_the_rule(urn, code, ai):
    error = refused(urn)
    assert (error.code, error.ai) == (code, ai)
    assert error.as_dict()["error"]["message"]


# Property tests --------------------------------------------------------------------------

serials = st.text(st.sampled_from("ABCXYZabcxyz0189!\"%&'()*+,-./:;<=>?_"), min_size=1, max_size=20)


@given(st.integers(6, 12), st.data(), serials)
def test_any_sgtin_gives_a_valid_gtin_and_its_serial(company_length, data, serial):
    digits = st.text("0123456789", min_size=13, max_size=13)
    number = data.draw(digits)
    company, reference = number[:company_length], number[company_length:]
    urn = f"urn:epc:id:sgtin:{company}.{reference}.{quote(serial, safe='')}"
    result = parse(urn, reference_year=YEAR)
    assert gs1_check_digit_ok(result.gtin)
    assert result.gtin[0] == reference[0] and result.gtin[1:13] == company + reference[1:]
    assert result.serial == serial


@given(st.text(max_size=60))
def test_urns_never_raise_anything_but_scan_error(text):
    for prefix in ("urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:id:sgln:", "urn:epc:"):
        with contextlib.suppress(ScanError):
            parse(prefix + text, reference_year=YEAR)
