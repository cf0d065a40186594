"""Purchasing test data: the inventory fixtures (site A's bins, a resin, a clerk), a buyer and
an inspector at site A, an approved resin supplier listed for the resin, a conditionally
approved one, and helpers to draft and release orders."""

import datetime

import pytest
from django.utils import timezone

from medtrace.accounts.roles import Role
from medtrace.inventory.tests.fixtures import *  # noqa: F403
from medtrace.partners import services as partners
from medtrace.partners.tests.conftest import approve_now, approve_with_conditions
from medtrace.purchasing.services import orders
from medtrace.scan.checks import gs1_check_digit

GTIN_BODY = "0950600099001"
SUPPLIER_GTIN = GTIN_BODY + gs1_check_digit(GTIN_BODY)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def buyer_a(make_user, site_a):
    return make_user("buyer-a", (site_a, Role.PURCHASING))


@pytest.fixture
def buyer_b(make_user, site_b):
    return make_user("buyer-b", (site_b, Role.PURCHASING))


@pytest.fixture
def inspector_a(make_user, site_a):
    return make_user("inspector-a", (site_a, Role.QA_INSPECTOR))


@pytest.fixture
def clerk_b(make_user, site_b):
    return make_user("clerk-b", (site_b, Role.WAREHOUSE_CLERK))


@pytest.fixture
def resin_supplier(organization, qa_a, resin):
    supplier = partners.create_supplier(
        organization=organization, code="SUP-RES", name="康塑材料", by=qa_a
    )
    supplier = approve_now(supplier, qa_a)
    partners.approve_source(supplier=supplier, item=resin, by=qa_a)
    return supplier


@pytest.fixture
def conditional_supplier(organization, qa_a, resin):
    supplier = partners.create_supplier(
        organization=organization, code="SUP-COND", name="洁包材料", by=qa_a
    )
    supplier = approve_with_conditions(supplier, qa_a, conditions="100 % incoming inspection")
    partners.approve_source(supplier=supplier, item=resin, by=qa_a)
    return supplier


@pytest.fixture
def draft(site_a, buyer_a, resin, resin_supplier):
    """draft(supplier=..., quantity=..., **line) -> a draft order of the resin at site A."""

    def draft(*, supplier=None, quantity="100", **line):
        return orders.create_order(
            site=site_a,
            supplier=supplier or resin_supplier,
            by=buyer_a,
            lines=[{"item": resin, "quantity": quantity, "expected_on": days(7),
                    "supplier_gtin": SUPPLIER_GTIN} | line],
        )  # fmt: skip

    return draft


@pytest.fixture
def released(draft, buyer_a):
    """A released order of 100 KG resin from the approved supplier; its one line."""
    order = orders.release(draft(), by=buyer_a)
    return order.lines.get()


def label(*, gtin=SUPPLIER_GTIN, lot="KS2611-01", expiry: datetime.date | None = None,
          made: datetime.date | None = None) -> str:  # fmt: skip
    """A GS1 element string as a supplier's label carries it (FNC1 as GS)."""
    text = f"01{gtin}"
    if made:
        text += f"11{made:%y%m%d}"
    if expiry:
        text += f"17{expiry:%y%m%d}"
    return text + f"10{lot}"
