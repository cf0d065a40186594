"""A change's computed impact: affected items, each version against the one in force, the
approved BOMs that use an affected item (where-used), lots per site and disposition (only at
the sites the reader may see), the people a document revision will need trained; and a number
of queries that does not grow with the lots or the where-used BOMs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import Item
from medtrace.catalog.services import LineIn
from medtrace.changes.choices import ChangeKind
from medtrace.changes.impact import impact_of
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft, implemented, routing_draft
from medtrace.documents.services import revisions
from medtrace.quality.choices import RiskLevel
from medtrace.trace.models import Lot
from medtrace.trace.services import objects
from medtrace.training.services import curricula

pytestmark = pytest.mark.django_db

ACTIVE = "urn:epcglobal:cbv:disp:active"
HELD = "urn:epcglobal:cbv:disp:non_conformant"


def draft_change(site, by, **scope):
    change = changes.open_change(
        site=site, by=by, title="Tube change", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    return changes.set_scope(change, by=by, **scope)


def kit_using(organization, code, component, author, site, qa):
    """A product whose BOM, released by a fast-track change, uses `component`."""
    kit = catalog.create_item(
        organization=organization, code=code, name=code, kind=ItemKind.FINISHED_DEVICE
    )
    bom = catalog.create_bom_draft(item=kit, by=author)
    catalog.set_bom_lines(bom=bom, lines=[LineIn(component, 2)], by=author)
    implemented(site=site, author=author, approvers=[qa], boms=[bom], kind=ChangeKind.FAST_TRACK)
    return bom


def lots(item, site, count, disposition, start=0):
    for number in range(start, start + count):
        lot = objects.create_lot(item=item, lot_number=f"{item.code[:6]}{number:04d}", site=site)
        Lot.objects.filter(pk=lot.pk).update(disposition=disposition)


def test_versions_against_the_one_in_force(site_a, infusion_set, engineer_a, qa_a):
    first = bom_draft(infusion_set, engineer_a)
    implemented(site=site_a, author=engineer_a, approvers=[qa_a], boms=[first],
                kind=ChangeKind.FAST_TRACK)  # fmt: skip
    second = bom_draft(infusion_set, engineer_a, ("CMP-TUBE", "CMP-CLAMP"))
    routing = routing_draft(infusion_set, engineer_a)
    change = draft_change(site_a, engineer_a, boms=[second], routings=[routing])
    impact = impact_of(change)
    assert [item.code for item in impact.items] == ["FG-IV-01"]
    bom_row, routing_row = impact.versions
    assert bom_row.in_force.pk == first.pk
    assert (bom_row.added, bom_row.removed, bom_row.changed) == (1, 1, 0)
    assert routing_row.in_force is None and routing_row.added == 1


def test_where_used_lots_and_site_scope(
    organization, site_a, site_b, infusion_set, engineer_a, qa_a, qa_b
):
    tube = Item.objects.get(code="CMP-TUBE")
    kit_using(organization, "KIT-1", "CMP-TUBE", engineer_a, site_a, qa_a)
    kit_using(organization, "KIT-2", "CMP-SPIKE", engineer_a, site_a, qa_a)  # not affected
    lots(tube, site_a, 3, ACTIVE)
    lots(tube, site_a, 1, HELD, start=10)
    lots(tube, site_b, 2, ACTIVE, start=20)
    change = draft_change(site_a, engineer_a, items=[tube])
    impact = impact_of(change)
    assert [(w.bom.item.code, w.components) for w in impact.where_used] == [("KIT-1", ["CMP-TUBE"])]
    assert sorted((r.site, r.disposition, r.lots) for r in impact.lots) == [
        ("A1", ACTIVE, 3),
        ("A1", HELD, 1),
        ("B1", ACTIVE, 2),
    ]
    assert impact.lot_total == 6
    # The reader sees the lots of their own sites only.
    assert {r.site for r in impact_of(change, user=engineer_a).lots} == {"A1"}
    assert {r.site for r in impact_of(change, user=qa_b).lots} == {"B1"}


def test_people_to_train_per_revision(
    site_a, make_user, engineer_a, qa_a, sop, effective_sop, author_a
):
    operators = [make_user(f"op-{n}", (site_a, Role.OPERATOR)) for n in range(3)]
    curricula.create_curriculum(
        site=site_a, code="LINE", name="Line", roles=[Role.OPERATOR], documents=[sop], by=qa_a
    )
    revision = revisions.new_draft(sop, by=author_a, change_summary="新夹具")
    change = draft_change(site_a, engineer_a, revisions=[revision])
    [row] = impact_of(change).training
    assert row.required and row.people == 3
    assert sorted(row.names) == sorted(user.full_name for user in operators)


def test_queries_do_not_grow_with_lots_or_where_used(
    organization, site_a, infusion_set, engineer_a, qa_a
):
    tube = Item.objects.get(code="CMP-TUBE")
    kit_using(organization, "KIT-1", "CMP-TUBE", engineer_a, site_a, qa_a)
    lots(tube, site_a, 1, ACTIVE)
    change = draft_change(site_a, engineer_a, boms=[bom_draft(infusion_set, engineer_a)],
                          items=[tube])  # fmt: skip
    impact_of(change, user=engineer_a)
    with CaptureQueriesContext(connection) as few:
        impact_of(change, user=engineer_a)
    for number in range(2, 6):
        kit_using(organization, f"KIT-{number}", "CMP-TUBE", engineer_a, site_a, qa_a)
    lots(tube, site_a, 20, ACTIVE, start=100)
    lots(tube, site_a, 5, HELD, start=200)
    with CaptureQueriesContext(connection) as many:
        impact = impact_of(change, user=engineer_a)
    assert len(impact.where_used) == 5 and impact.lot_total == 26
    assert len(many) == len(few) <= 20
