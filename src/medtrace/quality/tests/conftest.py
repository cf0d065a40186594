from datetime import date, timedelta
from decimal import Decimal

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.equipment import services as equipment_services
from medtrace.equipment.choices import EquipmentType
from medtrace.partners import services as partners
from medtrace.quality.choices import InspectionStage, NcrSource, Severity
from medtrace.quality.services import inspection_plans
from medtrace.quality.services import nonconformance as ncrs
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects


@pytest.fixture
def resin(organization):
    return catalog.create_item(
        organization=organization, code="RM-PC-01", name="聚碳酸酯粒料", kind=ItemKind.RAW_MATERIAL
    )


@pytest.fixture
def supplier(organization):
    return partners.create_supplier(organization=organization, code="SUP-PC", name="华塑材料")


@pytest.fixture
def received_lot(resin, supplier, site_a):
    return objects.create_lot(
        item=resin,
        lot_number="PC2611A",
        site=site_a,
        origin=LotOrigin.RECEIVED,
        supplier=supplier,
        supplier_lot_number="HS-55102",
    )


@pytest.fixture
def molder(site_a):
    return equipment_services.create_equipment(
        site=site_a,
        code="IMM-01",
        name="注塑机 1",
        equipment_type=EquipmentType.INJECTION_MOLDING,
        calibration_required=True,
        calibration_interval_days=180,
        last_calibrated_on=date(2026, 6, 1),
    )


@pytest.fixture
def make_ncr(site_a, qa_a, received_lot):
    def make(**overrides):
        fields = {
            "site": site_a,
            "title": "来料外观不良 Black specks",
            "description": "AQL 1.0 sample of 80: 4 pellets with black specks.",
            "source": NcrSource.INCOMING,
            "severity": Severity.MAJOR,
            "by": qa_a,
            "lot": received_lot,
            "quantity": Decimal("500"),
            "uom": "kg",
        }
        return ncrs.open_nonconformance(**(fields | overrides))

    return make


@pytest.fixture
def inspector_a(make_user, site_a):
    return make_user("inspector-a", (site_a, Role.QA_INSPECTOR))


@pytest.fixture
def balance(site_a):
    return equipment_services.create_equipment(
        site=site_a,
        code="BAL-01",
        name="电子天平",
        equipment_type=EquipmentType.BALANCE,
        calibration_required=True,
        calibration_interval_days=365,
        last_calibrated_on=date.today() - timedelta(days=30),
    )


@pytest.fixture
def resin_plan(organization, resin, qa_a):
    """Incoming resin: specks (major, AQL 1.0) by eye, bag weight (major) on a balance,
    label legibility (minor, AQL 4.0)."""
    return inspection_plans.create_plan(
        organization=organization,
        code="IP-PC-IN",
        name="聚碳酸酯来料检验",
        stage=InspectionStage.INCOMING,
        item=resin,
        aql_major="1.0",
        aql_minor="4.0",
        characteristics=[
            {"name": "Black specks", "kind": "attribute", "defect_class": "major"},
            {
                "name": "Bag weight", "kind": "variable", "defect_class": "major", "unit": "kg",
                "lower_limit": Decimal("24.8"), "target": Decimal("25"),
                "upper_limit": Decimal("25.3"), "equipment_type": EquipmentType.BALANCE,
            },
            {"name": "Label legible", "kind": "attribute", "defect_class": "minor"},
        ],
        by=qa_a,
    )  # fmt: skip


# The complaint fixtures (a shipped catheter unit, a hospital, receive(...)) live in their own
# module for length; registered here so every quality test may ask for them.
from medtrace.quality.tests.complaint_fixtures import *  # noqa: E402, F403
