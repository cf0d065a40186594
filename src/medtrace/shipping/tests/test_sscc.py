"""SSCCs from the plant's series: 18 digits with a valid GS1 check digit, never one already on
a container."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrace.core.errors import DomainError
from medtrace.scan import parse
from medtrace.scan.checks import gs1_check_digit_ok
from medtrace.shipping.models import SsccSeries
from medtrace.shipping.services import sscc
from medtrace.trace.services import objects as trace_objects


@given(
    prefix=st.from_regex(r"\A[0-9]{7,10}\Z"),
    extension=st.sampled_from("0123456789"),
    reference=st.integers(min_value=0, max_value=99_999),
)
def test_every_sscc_has_18_digits_and_a_valid_check_digit(prefix, extension, reference):
    series = SsccSeries(gs1_company_prefix=prefix, extension_digit=extension)
    code = sscc.sscc_for(series, reference)
    assert len(code) == 18 and code.isdigit()
    assert gs1_check_digit_ok(code)
    assert code.startswith(extension + prefix)
    assert parse("00" + code).sscc == code


@pytest.mark.django_db
def test_allocation_skips_taken_ssccs_and_moves_on(series, organization):
    first = sscc.sscc_for(series, 1)
    trace_objects.create_container(organization=organization, sscc=first)
    assert sscc.allocate(organization) == sscc.sscc_for(series, 2)
    assert sscc.allocate(organization) == sscc.sscc_for(series, 3)


@pytest.mark.django_db
def test_without_a_series_nothing_is_allocated(organization):
    with pytest.raises(DomainError, match="No SSCC series"):
        sscc.allocate(organization)


@settings(max_examples=20)
@given(reference=st.integers(min_value=10**9, max_value=10**12))
def test_a_series_is_used_up_past_its_digits(reference):
    series = SsccSeries(gs1_company_prefix="9506000123", extension_digit="0")
    assert series.serial_digits == 6
    assert len(sscc.sscc_for(series, 1)) == 18
