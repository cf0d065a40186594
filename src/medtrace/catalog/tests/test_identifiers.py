"""A DI's value checked by the rules of its issuing agency."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.identifiers import InvalidIdentifier, check_gmn, lookup_keys, normalize
from medtrace.scan.checks import gs1_check_digit, gs1_check_pair

GS1 = IssuingAgency.GS1


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_any_thirteen_digits_with_their_check_digit_are_a_gtin(body):
    value = body + gs1_check_digit(body)
    if not value.strip("0"):
        return  # all zeros: refused on its own rule below
    assert normalize(GS1, value) == value


@given(
    st.text(alphabet="0123456789", min_size=13, max_size=13),
    st.integers(min_value=1, max_value=9),
)
def test_a_changed_check_digit_is_refused(body, shift):
    wrong = str((int(gs1_check_digit(body)) + shift) % 10)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        normalize(GS1, body + wrong)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09506000134352", "09506000134352"),  # GTIN-14
        ("9506000134352", "09506000134352"),  # GTIN-13
        ("614141000036", "00614141000036"),  # GTIN-12 (UPC-A)
        ("96385074", "00000096385074"),  # GTIN-8
        (" 9506000134352 ", "09506000134352"),
    ],
)
def test_gtins_of_every_length_are_stored_as_gtin14(typed, stored):
    assert normalize(GS1, typed) == stored


@pytest.mark.parametrize("value", ["950600013435", "0950600013435A", "123", "00000000000000"])
def test_gs1_refuses_what_is_not_a_gtin(value):
    with pytest.raises(InvalidIdentifier):
        normalize(GS1, value)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+A123BJC5D6E7", "A123BJC5D6E7"),
        ("A123BJC5D6E7", "A123BJC5D6E7"),
        ("+h999abc1", "H999ABC1"),
    ],
)
def test_hibc_primary_di_without_its_flag_character(typed, stored):
    assert normalize(IssuingAgency.HIBCC, typed) == stored


@pytest.mark.parametrize(
    "value",
    [
        "+1123BJC5D6E7",  # the labeler code starts with a letter
        "+A123BJC5D6E",  # ends without the unit-of-measure digit
        "+A1231",  # no product number
        "+A123" + "P" * 19 + "1",  # product number longer than 18
        "+A123BJC-5",  # only letters and digits
    ],
)
def test_hibc_refuses_malformed_primaries(value):
    with pytest.raises(InvalidIdentifier, match="HIBC"):
        normalize(IssuingAgency.HIBCC, value)


def test_ma_structure():
    assert normalize(IssuingAgency.MA, "ma.156.m0.100234.st1001a") == "MA.156.M0.100234.ST1001A"
    for value in [
        "MA.840.M0.100234.ST1001A",  # not China's 156
        "MA.156.M0.ABC.ST1001A",  # the registrant part is digits
        "MA.156.M0.100234.ST1001A.L2301",  # production fields are not part of the DI
        "MA.156.M.100234.X",
    ]:
        with pytest.raises(InvalidIdentifier, match="MA"):
            normalize(IssuingAgency.MA, value)


def test_iccbba_processor_product_identification_code():
    assert normalize(IssuingAgency.ICCBBA, "=/A9999XYZ100T0474") == "A9999XYZ100T0474"
    for value in ["99999XYZ100", "A99X9XYZ100", "A9999"]:
        with pytest.raises(InvalidIdentifier, match="ISBT 128"):
            normalize(IssuingAgency.ICCBBA, value)


def test_empty_value_and_unknown_agency():
    with pytest.raises(InvalidIdentifier, match="Enter"):
        normalize(GS1, "  ")
    with pytest.raises(InvalidIdentifier, match="not an issuing agency"):
        normalize("IFA", "123")


def test_lookup_keys_cover_every_form_an_agency_stores():
    assert "09506000134352" in lookup_keys("9506000134352")
    assert "A123BJC5D6E7" in lookup_keys("+a123bjc5d6e7")
    assert lookup_keys("") == set()


def test_basic_udi_di_gmn_check_characters():
    data = "9506000IS2001"
    check_gmn(data + gs1_check_pair(data))
    with pytest.raises(InvalidIdentifier, match="GMN"):
        check_gmn(data + "AA" if gs1_check_pair(data) != "AA" else data + "AB")
    with pytest.raises(InvalidIdentifier):
        check_gmn("9506000" + "X" * 30)
