"""Shipping fixtures: a hospital with a 90-day minimum remaining shelf life, the plant's SSCC
series, a lot-tracked infusion set with two lots in stock (the earlier-expiring one is the
first-expiry-first-out pick), serialized catheter units, and an order factory."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from medtrace.accounts.roles import Role
from medtrace.catalog.services.items import create_item
from medtrace.partners.choices import CustomerKind
from medtrace.partners.services.customers import create_customer
from medtrace.scan.checks import gs1_check_digit
from medtrace.shipping.services import orders, sscc
from medtrace.trace.services import objects as trace_objects

GS1_PREFIX = "9506000"
HOSPITAL_GLN = "950600020002" + gs1_check_digit("950600020002")


@pytest.fixture
def hospital(organization, qa_a):
    customer = create_customer(
        organization=organization, code="H-RUIJIN", name="瑞金医院", name_en="Ruijin Hospital",
        kind=CustomerKind.HOSPITAL, gln=HOSPITAL_GLN, by=qa_a,
    )  # fmt: skip
    orders.set_terms(customer=customer, min_remaining_shelf_life_days=90, by=qa_a)
    return customer


@pytest.fixture
def series(organization, qa_a):
    return sscc.create_series(
        organization=organization, gs1_company_prefix=GS1_PREFIX, extension_digit="3", by=qa_a
    )


@pytest.fixture
def infusion(organization, admin_a):
    return create_item(
        organization=organization, code="IS-2001", name="一次性使用输液器", kind="finished_device",
        unit="EA", shelf_life_days=1095, by=admin_a,
    )  # fmt: skip


@pytest.fixture
def today(site_a):
    return site_a.local_date()


@pytest.fixture
def lots(infusion, make_lot, put, bins, today):
    """Two available lots: E (expires in 200 days, 100 EA at A-01) and L (400 days, 100 EA at
    A-02)."""
    early = make_lot(infusion, "E1", expires_on=today + timedelta(days=200))
    late = make_lot(infusion, "L1", expires_on=today + timedelta(days=400))
    put(early, bins["A-01"], 100)
    put(late, bins["A-02"], 100)
    return {"early": early, "late": late}


@pytest.fixture
def units(catheter, make_lot, put, bins, site_a, today):
    lot = make_lot(catheter, "C1", expires_on=today + timedelta(days=500))
    made = []
    for n in range(3):
        unit = trace_objects.create_unit(item=catheter, serial=f"S{n}", lot=lot, site=site_a)
        put(unit, bins["A-01"])
        made.append(unit)
    return made


@pytest.fixture
def make_order(site_a, hospital, qa_a, bins, series):
    def make_order(*lines, release=True, customer=None):
        order = orders.create_order(
            site=site_a, customer=customer or hospital, lines=list(lines), by=qa_a,
            customer_reference="PO-778",
        )  # fmt: skip
        if release:
            order = orders.release_order(order, by=qa_a)
        return order

    return make_order


@pytest.fixture
def quantity():
    return Decimal


@pytest.fixture
def clerk_b(make_user, site_b):
    return make_user("clerk-b", (site_b, Role.WAREHOUSE_CLERK))


def now():
    return timezone.now()
