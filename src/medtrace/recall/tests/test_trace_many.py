"""A recall of many roots walks them in one statement (trace.engine.closure_sql) inside the
database: its scope holds the same lots and units as tracing each root and taking the union,
and its consignee entries are the union of each root's."""

import pytest

from medtrace.production.tests.fixtures import lot_of
from medtrace.recall.choices import Place
from medtrace.trace.engine import trace_forward

pytestmark = pytest.mark.django_db


def _traced(roots) -> set[str]:
    found = set()
    for root in roots:
        forward = trace_forward(root)
        found |= {root.identifier} | {obj.identifier for obj in (*forward.lots, *forward.units)}
    return found


def _consignee_entries(scope) -> set[tuple]:
    return set(
        scope.entries.filter(place=Place.CONSIGNEE).values_list(
            "object_id", "party_id", "shipment_id", "quantity"
        )
    )


def test_many_roots_reach_what_each_root_reaches(made_and_shipped, open_from):
    order = made_and_shipped["order"]
    # The two components consumed, and the finished lot made from them (reached from both).
    roots = [lot_of(order, "T-001"), lot_of(order, "S-001"), made_and_shipped["product"]]
    scope = open_from(roots).current_scope()
    assert set(scope.summary["objects"]) == _traced(roots)
    assert scope.summary["lots"] == 3 and scope.summary["consignees"] == 1


def test_the_scope_of_many_roots_is_the_union_of_their_scopes(made_and_shipped, open_from):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    both, one, other = (
        open_from(roots).current_scope() for roots in ([tube, product], [tube], [product])
    )
    assert set(both.summary["objects"]) == set(one.summary["objects"]) | set(
        other.summary["objects"]
    )
    assert _consignee_entries(both) == _consignee_entries(one) | _consignee_entries(other)
    assert both.summary["consignees"] == 1
