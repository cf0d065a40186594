"""A recall of many roots traces them in one statement (trace.engine.reach): the same lots,
units and containers as tracing each root and taking the union; the scope of many roots is the
union of their scopes."""

import pytest

from medtrace.production.tests.fixtures import lot_of
from medtrace.recall.services.scope import compute
from medtrace.trace.engine import FORWARD, reach, trace_forward

pytestmark = pytest.mark.django_db


def _ids(result) -> tuple[set, set, set]:
    return (
        {lot.pk for lot in result.lots},
        {unit.pk for unit in result.units},
        {container.pk for container in result.containers},
    )


def test_many_roots_reach_what_each_root_reaches(made_and_shipped):
    order = made_and_shipped["order"]
    # The two components consumed, and the finished lot made from them (reached from both).
    roots = [lot_of(order, "T-001"), lot_of(order, "S-001"), made_and_shipped["product"]]
    union = [set(), set(), set()]
    for root in roots:
        for found, ids in zip(union, _ids(trace_forward(root)), strict=True):
            found |= ids
    root_ids = {root.pk for root in roots}
    reached = reach(roots, FORWARD)
    assert [ids - root_ids for ids in union] == [reached.lots, reached.units, reached.containers]
    # The product is reached from the components, but it is a root itself.
    assert made_and_shipped["product"].pk in union[0]
    assert made_and_shipped["product"].pk not in reached.lots


def test_the_scope_of_many_roots_is_the_union_of_their_scopes(made_and_shipped):
    tube, product = made_and_shipped["tube"], made_and_shipped["product"]
    both = compute([tube, product])
    assert set(both.objects) == set(compute([tube]).objects) | set(compute([product]).objects)
    assert both.summary()["consignees"] == 1
