"""Catalog test data: a regulatory-affairs user, a finished device with a GS1 unit and box DI,
a user of another organization, and change control's fixtures (a BOM or routing version takes
effect only through a change request)."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services
from medtrace.catalog.choices import IssuingAgency, ItemKind, PackagingLevel, SterilizationMethod
from medtrace.changes.tests.fixtures import *  # noqa: F403  (versions take effect by a change)
from medtrace.scan.checks import gs1_check_digit

STERILE = {"sterile": True, "sterilization_method": SterilizationMethod.ETHYLENE_OXIDE}


def gtin(body: str) -> str:
    """`body` (the GTIN without its check digit) with its check digit."""
    return body + gs1_check_digit(body)


UNIT_GTIN = gtin("0950600010001")
BOX_GTIN = gtin("1950600010001")


@pytest.fixture
def regulatory_a(make_user, site_a):
    return make_user("ra-a", (site_a, Role.REGULATORY_AFFAIRS))


@pytest.fixture
def device(organization, regulatory_a):
    return services.create_item(
        organization=organization,
        code="is-2001",
        name="一次性使用输液器 带针",
        name_en="Single-use infusion set with needle",
        kind=ItemKind.FINISHED_DEVICE,
        shelf_life_days=1095,
        by=regulatory_a,
    )


def make_unit(item, by, value=UNIT_GTIN, **extra):
    attributes = {
        "brand": "康滴 KangDrip",
        "model_number": "IS-2001",
        "registration_number": "国械注准20213140123",
        "risk_class_cn": "III",
        **STERILE,
        **extra,
    }
    return services.create_device_identifier(
        item=item, issuing_agency=IssuingAgency.GS1, value=value, by=by, **attributes
    )


def make_box(unit, by, value=BOX_GTIN, quantity=25, level=PackagingLevel.INNER_PACK, **extra):
    return make_unit(
        unit.item,
        by,
        value=value,
        packaging_level=level,
        contains=unit,
        quantity_per_package=quantity,
        **extra,
    )


@pytest.fixture
def unit_di(device, regulatory_a):
    return make_unit(device, regulatory_a)


@pytest.fixture
def box_di(unit_di, regulatory_a):
    return make_box(unit_di, regulatory_a)


@pytest.fixture
def outsider(stranger):
    """A QA manager of another organization, with an item of their own coded like ours."""
    other, user = stranger.organization, stranger
    services.create_item(
        organization=other, code="SECRET-1", name="他们的器械", kind=ItemKind.FINISHED_DEVICE
    )
    return user
