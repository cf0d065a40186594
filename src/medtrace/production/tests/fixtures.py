"""Production fixtures: supervisors at sites A and B, and the infusion set with an approved BOM
(2 tubes ±5 %, 1 spike per set) and routing in force, released through a fast-track change;
the site's locations (the line PRD among them) and a default lot-number rule; an injection
molding machine, component lots at the line, a released order and a walk through it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.models import Item
from medtrace.catalog.services import LineIn, OperationIn, ParameterIn
from medtrace.catalog.services.lot_numbers import create_lot_rule
from medtrace.changes.choices import ChangeKind
from medtrace.changes.tests.fixtures import implemented
from medtrace.equipment import services as equipment_services
from medtrace.equipment.choices import EquipmentType
from medtrace.production import services
from medtrace.production.services import consumption, operations, outputs, readings
from medtrace.trace.models import Lot


@pytest.fixture
def supervisor_a(make_user, site_a):
    return make_user("planner-a", (site_a, Role.PRODUCTION_SUPERVISOR))


@pytest.fixture
def supervisor_b(make_user, site_b):
    return make_user("planner-b", (site_b, Role.PRODUCTION_SUPERVISOR))


def make_bom(product, by, lines):
    bom = catalog.create_bom_draft(item=product, by=by)
    return catalog.set_bom_lines(bom=bom, lines=lines, by=by)


def make_routing(product, by, documents=()):
    routing = catalog.create_routing_draft(item=product, by=by)
    operations = [
        OperationIn(
            name="注塑", equipment_type="injection_molding", documents=list(documents),
            parameters=[ParameterIn("熔体温度", "°C", "220", "230", "240")],
        ),
        OperationIn(name="装配"),
    ]  # fmt: skip
    return catalog.set_routing_operations(routing=routing, operations=operations, by=by)


def make_effective(site, author, approver, *, boms=(), routings=()):
    return implemented(
        site=site, author=author, approvers=[approver], boms=boms, routings=routings,
        kind=ChangeKind.FAST_TRACK,
    )  # fmt: skip


@pytest.fixture
def product(infusion_set, site_a, engineer_a, qa_a, bins, organization):
    """FG-IV-01 with BOM v1 (CMP-TUBE 2 EA ±5 %, CMP-SPIKE 1 EA) and routing v1 in force."""
    create_lot_rule(organization=organization, pattern="{SITE}{YY}{SEQ:4}")
    bom = make_bom(
        infusion_set, engineer_a,
        [LineIn("CMP-TUBE", Decimal("2"), tolerance_percent=5), LineIn("CMP-SPIKE", 1)],
    )  # fmt: skip
    routing = make_routing(infusion_set, engineer_a)
    make_effective(site_a, engineer_a, qa_a, boms=[bom], routings=[routing])
    return infusion_set


@pytest.fixture
def planned(product, site_a, supervisor_a):
    return services.create_work_order(site=site_a, item=product, quantity="100", by=supervisor_a)


@pytest.fixture
def molder(site_a, qa_a):
    return equipment_services.create_equipment(
        site=site_a, code="IM-01", name="注塑机", equipment_type=EquipmentType.INJECTION_MOLDING,
        calibration_required=True, calibration_interval_days=180,
        last_calibrated_on=date.today() - timedelta(days=30), by=qa_a,
    )  # fmt: skip


@pytest.fixture
def components(product, organization, make_lot, put, bins):
    """A tube lot (500 EA) and a spike lot (300 EA), available at the line PRD."""
    tube = make_lot(Item.objects.get(organization=organization, code="CMP-TUBE"), "T-001")
    spike = make_lot(Item.objects.get(organization=organization, code="CMP-SPIKE"), "S-001")
    put(tube, bins["PRD"], 500)
    put(spike, bins["PRD"], 300)
    return {"tube": tube, "spike": spike}


@pytest.fixture
def released(planned, supervisor_a, components):
    return services.release(planned, by=supervisor_a)


def op_of(order, position):
    return order.operations.get(position=position)


def run_through(order, operator, molder, *, melt="230"):
    first = operations.start(op_of(order, 10), by=operator, equipment=molder)
    readings.record(first, parameter="熔体温度", value=melt, by=operator)
    operations.finish(first, by=operator)
    consumption.consume(order, scanned=lot_of(order, "T-001"), quantity="200", by=operator)
    consumption.consume(order, scanned=lot_of(order, "S-001"), quantity="100", by=operator)
    second = operations.start(op_of(order, 20), by=operator)
    operations.finish(second, by=operator)
    outputs.record(order, quantity="100", by=operator)


def lot_of(order, number):
    return Lot.objects.get(organization_id=order.organization_id, lot_number=number)
