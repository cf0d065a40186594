from datetime import date
from decimal import Decimal

import pytest

from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.equipment import services as equipment_services
from medtrace.equipment.choices import EquipmentType
from medtrace.partners import services as partners
from medtrace.quality.choices import NcrSource, Severity
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
