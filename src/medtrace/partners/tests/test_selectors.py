"""Expiring certificates, lapsed customer licences (with an injected today) and the GLN rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from medtrace.partners import selectors, services
from medtrace.partners.choices import CustomerKind, Expiry
from medtrace.partners.expiry import expiry_of
from medtrace.partners.models import validate_gln
from medtrace.scan.checks import gs1_check_digit

TODAY = datetime.date(2026, 3, 1)


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.mark.django_db
def test_certificates_expiring_within_the_window_including_expired(supplier, qa_a, outsider):
    for number, offset in [("OLD", -1), ("TODAY", 0), ("SOON", 60), ("LATER", 61)]:
        services.add_certificate(
            supplier=supplier, kind="iso13485", number=number, valid_until=day(offset), by=qa_a
        )
    found = selectors.certificates_expiring(supplier.organization, today=TODAY)
    assert [c.number for c in found] == ["OLD", "TODAY", "SOON"]
    within_30 = selectors.certificates_expiring(supplier.organization, 30, today=TODAY)
    assert [c.number for c in within_30] == ["OLD", "TODAY"]


@pytest.mark.django_db
def test_customers_with_expired_licence(organization, hospital, qa_a):
    services.update_customer(customer=hospital, licence_valid_until=day(-1), by=qa_a)
    services.create_customer(
        organization=organization,
        code="D-OK",
        name="ok",
        kind=CustomerKind.DISTRIBUTOR,
        licence_valid_until=TODAY,
    )
    assert [
        c.code for c in selectors.customers_with_expired_licence(organization, today=TODAY)
    ] == ["H-SUDA1"]


def test_expiry_badges():
    assert expiry_of(day(-1), TODAY) == Expiry.EXPIRED
    assert expiry_of(day(0), TODAY) == Expiry.EXPIRING
    assert expiry_of(day(60), TODAY) == Expiry.EXPIRING
    assert expiry_of(day(61), TODAY) == Expiry.VALID
    assert expiry_of(None, TODAY) is None


bodies = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(bodies)
def test_valid_glns_pass(body):
    validate_gln(body + gs1_check_digit(body))


@given(bodies, st.integers(min_value=1, max_value=9))
def test_a_changed_check_digit_fails(body, shift):
    wrong = str((int(gs1_check_digit(body)) + shift) % 10)
    with pytest.raises(ValidationError):
        validate_gln(body + wrong)


@pytest.mark.parametrize("value", ["950600020001", "95060002000100", "95060002000A1"])
def test_a_gln_has_13_digits(value):
    with pytest.raises(ValidationError):
        validate_gln(value)
