"""Location barcodes: LOC:<site>:<code> and the ledger's URN read back to the same location;
anything else is an object's code (None) or a named refusal, never a crash."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.core.errors import DomainError
from medtrace.inventory import location_codes
from medtrace.inventory.ledger import location_uri

CODES = st.from_regex(r"\A[A-Z0-9][A-Z0-9_.-]{0,31}\Z")


@given(site=CODES, code=CODES)
def test_both_forms_read_back(site, code):
    assert location_codes.parse(f"LOC:{site}:{code}") == (site, code)
    assert location_codes.parse(f"  loc:{site.lower()}:{code.lower()}\r\n") == (site, code)
    assert location_codes.parse(f"urn:medtrace:location:{site}:{code}") == (site, code)


@given(st.text(max_size=80))
def test_any_text_is_none_or_a_refusal(text):
    try:
        parsed = location_codes.parse(text)
    except DomainError as refused:
        assert location_codes.is_location_code(text)
        assert "is not a location code" in str(refused.message)
        return
    if parsed is None:
        assert not location_codes.is_location_code(text)
    else:
        assert location_codes.PATTERN.match(f"{parsed[0]}:{parsed[1]}")


@pytest.mark.parametrize(
    "text", ["LOC:", "LOC:A1", "LOC:A1:", "LOC:A1:A:01", "LOC:A1:A 01", "LOC::A-01", "LOC:A1:-X"]
)
def test_malformed_labels_are_refused(text):
    with pytest.raises(DomainError):
        location_codes.parse(text)


@pytest.mark.parametrize("text", ["R1", "0109506000134352", "urn:epc:id:sgtin:1.2.3", ""])
def test_object_codes_are_not_locations(text):
    assert location_codes.parse(text) is None


@pytest.mark.django_db
def test_labels_and_urns_find_the_location(bins, clerk_a, stranger):
    location = bins["A-01"]
    assert location_codes.label_text(location) == "LOC:A1:A-01"
    assert location_codes.find_location(clerk_a, "LOC:A1:A-01") == location
    assert location_codes.find_location(clerk_a, location_uri(location)) == location
    assert location_codes.find_location(clerk_a, "R1") is None
    with pytest.raises(DomainError, match="not known here"):
        location_codes.find_location(stranger, "LOC:A1:A-01")
