"""UDI submission test data: a registrant with everything the three databases ask for, and an
infusion set (a GS1 unit DI and its box) complete for NMPA UDID, GUDID and EUDAMED."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.tests.conftest import BOX_GTIN, UNIT_GTIN, make_box, make_unit
from medtrace.udi import services

COMPLETE = {
    "risk_class_us": "II",
    "risk_class_eu": "IIa",
    "basic_udi_di": "0950600010IS2001ES",
    "gmdn_code": "35163",
    "nmpa_classification_code": "14-02",
    "description": "Gravity infusion set with 0.7 mm needle, 150 cm tubing, 15 µm filter.",
    "catalog_number": "IS-2001-150",
    "fda_product_code": "FPA",
    "fda_premarket_number": "K213456",
    "emdn_code": "C0301",
    "label_has_manufacturing_date": True,
}


@pytest.fixture
def regulatory_a(make_user, site_a):
    return make_user("ra-a", (site_a, Role.REGULATORY_AFFAIRS))


@pytest.fixture
def registrant(organization, regulatory_a):
    return services.save_registrant(
        organization=organization,
        by=regulatory_a,
        legal_name="测试医疗器械有限公司",
        legal_name_en="Test Devices Co., Ltd.",
        address="江苏省苏州市工业园区星湖街 1 号",
        country="CN",
        uscc="91320594MA1MXXXX1K",
        duns_number="654321987",
        eu_srn="CN-MF-000012345",
        eu_representative="EU Rep GmbH",
        eu_representative_srn="DE-AR-000001234",
        contact_phone="+86 512 6000 0000",
        contact_email="ra@example.com",
    )


@pytest.fixture
def infusion_set(organization, regulatory_a):
    return catalog.create_item(
        organization=organization,
        code="is-2001",
        name="一次性使用输液器 带针",
        name_en="Single-use infusion set with needle",
        kind=ItemKind.FINISHED_DEVICE,
        shelf_life_days=1095,
        storage_conditions="Store below 30 °C, away from sunlight.",
        by=regulatory_a,
    )


@pytest.fixture
def unit(infusion_set, regulatory_a, registrant):
    return make_unit(infusion_set, regulatory_a, **COMPLETE)


@pytest.fixture
def box(unit, regulatory_a):
    return make_box(unit, regulatory_a, **COMPLETE)


__all__ = ["BOX_GTIN", "UNIT_GTIN"]
