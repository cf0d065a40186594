"""Acceptance on the demo plant: a supplier's lot recalled; the scope equals the trace engine's
forward trace, broken down by where the lots and units are; approval moves exactly the part in
our stock to recalled (what is at hospitals keeps its status)."""

import pytest

from medtrace.demo.plant import DEMO_PASSWORD
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.recall.choices import Place
from medtrace.recall.services import recalls
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Lot, TraceObject

pytestmark = pytest.mark.django_db


def test_a_demo_supplier_lot_recall_scopes_the_forward_trace_and_holds_our_stock(demo_plant):
    lots = Lot.objects.exclude(supplier_lot_number="").exclude(supplier=None).order_by("pk")
    # A supplier lot whose material is both at hospitals and still in our stock.
    root = next(lot for lot in lots if _shipped_and_stocked(lot))
    qa = demo_plant.users["qa"]
    ours = recalls.supplier_lots(root.organization, root.supplier, root.supplier_lot_number)
    assert root in ours
    recall = recalls.open_recall(
        site=root.site, title="粒料黑点", reason="供应商通报", depth="user", strategy="removal",
        nmpa_class="II", roots=ours, by=qa,
    )  # fmt: skip
    scope = recall.current_scope()
    expected = set()
    for lot in ours:
        forward = trace_forward(lot)
        expected |= {lot.identifier} | {o.identifier for o in (*forward.lots, *forward.units)}
    assert set(scope.summary["objects"]) == expected
    assert scope.summary["consignees"] > 0
    places = {entry.place for entry in scope.entries.all()}
    assert Place.CONSIGNEE in places and (Place.STOCK in places or Place.WIP in places)
    held = set(
        scope.entries.filter(place__in=(Place.STOCK, Place.WIP)).values_list("object", flat=True)
    )
    assert held == set(
        Stock.objects.filter(object__identifier__in=expected, quantity__gt=0).values_list(
            "object", flat=True
        )
    )
    assert held
    before = {pk: status_of(TraceObject.objects.get(pk=pk)).status for pk in _away(scope, held)}
    recalls.approve(recall, by=qa, password=DEMO_PASSWORD)
    for pk in held:
        assert status_of(TraceObject.objects.get(pk=pk)).status == StockStatus.RECALLED
    for pk, status in before.items():  # units only at consignees keep their status
        assert status_of(TraceObject.objects.get(pk=pk)).status == status


def _shipped_and_stocked(lot) -> bool:
    forward = trace_forward(lot)
    reached = {lot.pk} | {obj.pk for obj in (*forward.lots, *forward.units)}
    return (
        bool(forward.parties) and Stock.objects.filter(object__in=reached, quantity__gt=0).exists()
    )


def _away(scope, held) -> set[int]:
    """Units of the scope that are only at consignees."""
    return set(
        scope.entries.filter(place=Place.CONSIGNEE)
        .exclude(serial="")
        .exclude(object__in=held)
        .values_list("object", flat=True)
    )
