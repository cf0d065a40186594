"""Production fixtures: supervisors at sites A and B, and the infusion set with an approved BOM
(2 m tube, 1 spike per set) and routing in force, released through a fast-track change."""

from decimal import Decimal

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.services import LineIn, OperationIn, ParameterIn
from medtrace.changes.choices import ChangeKind
from medtrace.changes.tests.fixtures import implemented
from medtrace.production import services


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
def product(infusion_set, site_a, engineer_a, qa_a):
    """FG-IV-01 with BOM v1 (CMP-TUBE 2 EA ±5 %, CMP-SPIKE 1 EA) and routing v1 in force."""
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
