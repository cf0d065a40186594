"""Change-control fixtures: a product with a BOM and a routing draft, the people who raise and
approve changes, and a helper that walks a change to implemented. Shared with the apps whose
tests need an effective BOM or routing (catalog, production)."""

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.services import LineIn, OperationIn, ParameterIn
from medtrace.changes.choices import ChangeKind
from medtrace.changes.services import changes
from medtrace.quality.choices import RiskLevel


@pytest.fixture
def engineer_a(make_user, site_a):
    """Regulatory affairs at site A: raises changes (and so may not approve their own)."""
    return make_user("engineer-a", (site_a, Role.REGULATORY_AFFAIRS))


@pytest.fixture
def approvers_a(make_user, site_a, qa_a):
    """One holder of each role a standard change needs, none of them its author."""
    return [
        qa_a,
        make_user("supervisor-a", (site_a, Role.PRODUCTION_SUPERVISOR)),
        make_user("regulatory-a2", (site_a, Role.REGULATORY_AFFAIRS)),
    ]


@pytest.fixture
def infusion_set(organization):
    make = catalog.create_item
    product = make(
        organization=organization, code="FG-IV-01", name="一次性使用输液器",
        kind=ItemKind.FINISHED_DEVICE,
    )  # fmt: skip
    for code, name in (
        ("CMP-TUBE", "PVC 管路"),
        ("CMP-SPIKE", "瓶塞穿刺器"),
        ("CMP-CLAMP", "流量调节器"),
    ):
        make(organization=organization, code=code, name=name, kind=ItemKind.COMPONENT)
    return product


def bom_draft(product, by, components=("CMP-TUBE", "CMP-SPIKE")):
    bom = catalog.create_bom_draft(item=product, by=by)
    catalog.set_bom_lines(bom=bom, lines=[LineIn(code, 1) for code in components], by=by)
    return bom


def routing_draft(product, by, upper="240"):
    routing = catalog.create_routing_draft(item=product, by=by)
    operation = OperationIn(
        name="注塑", parameters=[ParameterIn("熔体温度", "°C", "220", "230", upper)]
    )
    catalog.set_routing_operations(routing=routing, operations=[operation], by=by)
    return routing


def implemented(
    *, site, author, approvers, boms=(), routings=(), revisions=(), kind=ChangeKind.STANDARD,
    **fields,
):  # fmt: skip
    """A change of `kind` releasing the given drafts, walked to implemented."""
    change = changes.open_change(
        site=site, by=author, title=fields.pop("title", "Tighten the melt temperature"),
        kind=kind, reason="Field complaints of leaks", description="See the versions.",
        risk_level=RiskLevel.MEDIUM, **fields,
    )  # fmt: skip
    changes.set_scope(change, by=author, boms=boms, routings=routings, revisions=revisions)
    changes.submit(change, by=author, password=PASSWORD)
    for approver in approvers:
        changes.approve(change, by=approver, password=PASSWORD)
    return changes.release(change, by=approvers[0], password=PASSWORD)
