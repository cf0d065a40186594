"""GS1 identifiers in events reduced to the short canonical Digital Link; others kept."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import identifiers
from medtrace.epcis.identifiers import canonical, keys
from medtrace.scan.checks import gs1_check_digit

UNIT = "https://id.gs1.org/01/10614141073464/21/2017"


def refused(identifier: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        canonical(identifier)
    assert caught.value.code == ErrorCode.VALIDATION
    assert identifier in str(caught.value.message)
    return caught.value


@pytest.mark.parametrize(
    ("epc", "link"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", UNIT),
        ("URN:EPC:ID:SGTIN:0614141.107346.2017", UNIT),
        ("urn:epc:id:sgtin:0614141.107346.A%2FB", "https://id.gs1.org/01/10614141073464/21/A%2FB"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
        ("urn:epc:id:sgln:0012345.11111.0", "https://id.gs1.org/414/0012345111112"),
        ("urn:epc:id:pgln:4012345.00225", "https://id.gs1.org/417/4012345002256"),
    ],
)
def test_each_epc_scheme_becomes_its_digital_link(epc, link):
    assert canonical(epc) == link


@pytest.mark.parametrize(
    ("uri", "link"),
    [
        (UNIT, UNIT),
        ("https://brand.example.com/shop/01/10614141073464/21/2017", UNIT),
        ("http://ID.GS1.ORG/01/10614141073464/21/2017?17=261231&linkType=all", UNIT),
        ("https://id.gs1.org/01/10614141073464/10/L1/21/2017", UNIT),  # the serial identifies
        (
            "https://id.gs1.org/01/10614141073464/22/V1/10/L1",
            "https://id.gs1.org/01/10614141073464/10/L1",
        ),
        ("https://id.gs1.org/01/9506000134352", "https://id.gs1.org/01/09506000134352"),
        ("https://example.org/8004/401234599999", "https://id.gs1.org/8004/401234599999"),
        (
            "https://id.gs1.org/414/0614141073467/254/1234",
            "https://id.gs1.org/414/0614141073467/254/1234",
        ),
    ],
)
def test_digital_links_on_any_domain_become_short_and_canonical(uri, link):
    assert canonical(uri) == link


@pytest.mark.parametrize(
    "uri",
    [
        "urn:medtrace:lot:CODE:LOT-1",
        "urn:epc:idpat:sgtin:4012345.098765.*",
        "urn:epc:id:giai:4000001.111",
        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
        "urn:epcglobal:cbv:bt:0614141073467:1152",
        "http://transaction.acme.com/po/12345678",
        "https://erp.example.com/orders/PO-2024-000123",
        "geo:47.506694,11.104301",
    ],
)
def test_other_uris_stay_as_given(uri):
    assert canonical(uri) == uri


def test_a_bad_check_digit_is_refused_naming_the_identifier_and_the_rule():
    error = refused("https://id.gs1.org/01/10614141073465/21/2017")
    assert error.details["identifier"] == "https://id.gs1.org/01/10614141073465/21/2017"
    assert error.details["rule"] == "BAD_CHECK_DIGIT"
    refused("https://brand.example.com/01/10614141073465/21/2017")


def test_a_malformed_link_on_gs1s_resolver_is_refused():
    assert refused("https://id.gs1.org/01/123/21/2017").details["rule"] == "DL_INVALID_KEY_LENGTH"
    refused("https://id.gs1.org/01/10614141073464/21/2017/10/L1")  # qualifiers out of order


def test_a_malformed_epc_is_refused():
    assert refused("urn:epc:id:sgtin:0614141.1073.2017").details["rule"] == "VALUE_TOO_SHORT"
    refused("urn:epc:id:pgln:4012345.0022")


def test_a_serial_longer_than_gs1_allows_is_refused():
    assert refused("urn:epc:id:sgtin:0614141.107346." + "9" * 21).details["rule"] == (
        "VALUE_TOO_LONG"
    )


def test_compressed_digital_links_are_refused():
    refused("https://id.gs1.org/AQnYUc1gRcsmdm5MOiw")
    refused("https://id.gs1.de/AQnYUc1gRcsmdm5MOiw")
    # on another domain, recognised by the primary key its first byte encodes (01 = "AQ")
    refused("https://brand.example.com/AQnYUc1gRcsmdm5MOiw")


def test_ordinary_urls_are_not_taken_for_compressed_links():
    for uri in (
        "https://erp.example.com/orders/AQ-2024-000123",
        "https://example.com/ZZZZZZZZZZZZ",
        "https://example.com/0123456789012",
        "https://erp.example.com/po/2024/01/15/4711",  # /01/15 is no GTIN
    ):
        assert canonical(uri) == uri


def test_keys_lists_the_ais_of_a_digital_link():
    assert keys("https://id.gs1.org/01/09506000134352/10/ABC") == {
        "01": "09506000134352",
        "10": "ABC",
    }
    assert keys("https://id.gs1.org/01/09506000134352/21/S1?17=261231") == {
        "01": "09506000134352",
        "21": "S1",
        "17": "261231",
    }
    assert keys("urn:epc:id:sscc:0614141.1234567890") == {"00": "106141412345678908"}


def test_keys_refuses_what_is_not_a_digital_link():
    with pytest.raises(DomainError) as caught:
        keys("https://example.com/no/keys/here")
    assert caught.value.code == ErrorCode.VALIDATION


def _full_path(uri: str) -> tuple[str, str]:
    """What the general Digital Link path answers, bypassing the canonical-shape shortcut."""
    try:
        return "ok", identifiers._from_web(uri)
    except DomainError as error:
        return "refused", str(error.message)


def _shortcut(uri: str) -> tuple[str, str]:
    try:
        return "ok", canonical.__wrapped__(uri)
    except DomainError as error:
        return "refused", str(error.message)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["01", "00", "414", "417"]),
    body=st.text(alphabet="0123456789", min_size=11, max_size=18),
    checked=st.booleans(),
    qualifier=st.sampled_from([None, "10", "21"]),
    value=st.text(alphabet="AZaz09._-!%'", min_size=0, max_size=22),
)
def test_the_canonical_shape_shortcut_answers_as_the_full_path(
    key, body, checked, qualifier, value
):
    digits = body + gs1_check_digit(body) if checked else body
    uri = f"https://id.gs1.org/{key}/{digits}"
    if qualifier and key == "01":
        uri += f"/{qualifier}/{value}"
    assert _shortcut(uri) == _full_path(uri)
