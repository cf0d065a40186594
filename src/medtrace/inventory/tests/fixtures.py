"""Stock fixtures shared with the apps that move goods (purchasing, shipping): a warehouse at
site A (receiving, quarantine, two stock bins, shipping, scrap), a lot-tracked item and a
serialized one, and a receipt helper."""

from datetime import date
from decimal import Decimal

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog.services.items import create_item
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.org.models import Location
from medtrace.org.services import create_default_locations, create_location
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects


@pytest.fixture
def clerk_a(make_user, site_a):
    return make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))


@pytest.fixture
def bins(site_a, admin_a):
    """Locations of site A by code: the defaults (RCV, QUA, STK, PRD, SHP, RET, SCR) and two
    stock bins A-01, A-02."""
    create_default_locations(site=site_a, by=admin_a)
    for code in ("A-01", "A-02"):
        create_location(site=site_a, code=code, name=code, kind="stock", by=admin_a)
    return {location.code: location for location in Location.objects.filter(site=site_a)}


@pytest.fixture
def resin(organization, admin_a):
    return create_item(
        organization=organization, code="PVC-100", name="PVC 粒料", kind="raw_material",
        unit="KG", by=admin_a,
    )  # fmt: skip


@pytest.fixture
def catheter(organization, admin_a):
    return create_item(
        organization=organization, code="CVC-9", name="中心静脉导管", kind="finished_device",
        tracking="serial", by=admin_a,
    )  # fmt: skip


@pytest.fixture
def make_lot(site_a, admin_a):
    def make_lot(item, lot_number, *, expires_on: date | None = None):
        return trace_objects.create_lot(
            item=item, lot_number=lot_number, site=site_a, origin=LotOrigin.RECEIVED,
            expires_on=expires_on, by=admin_a,
        )  # fmt: skip

    return make_lot


@pytest.fixture
def put(site_a, admin_a):
    """Put `quantity` of a lot (or a unit) at a location, available unless told."""

    def put(obj, location, quantity=None, *, disposition="available", at=None):
        return moves.move(
            site=site_a,
            lines=[moves.Line(obj, Decimal(quantity) if quantity is not None else None)],
            operation=Operation.RECEIVE,
            biz_step="receiving",
            disposition=disposition,
            destination=location,
            by=admin_a,
            at=at,
        )

    return put
