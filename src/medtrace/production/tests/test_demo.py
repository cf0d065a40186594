"""The demo's work orders: built on the demo plant (the lead wires build_production into the
demo's STEPS; until then this test calls it)."""

from medtrace.demo.production import build_production
from medtrace.production import selectors
from medtrace.production.models import WorkOrder


def test_the_demo_releases_work_orders_with_kitting_lists(demo_plant):
    if not WorkOrder.objects.exists():
        build_production(demo_plant)
    orders = WorkOrder.objects.filter(site__code="SZ01").select_related("item", "site")
    assert sorted((o.item.code, o.status) for o in orders) == [
        ("CVC-3001", "planned"),
        ("CVC-3001", "released"),
        ("IS-2001", "released"),
    ]
    for order in orders.filter(status="released"):
        assert order.snapshot["bom"]["lines"] and order.snapshot["routing"]["operations"]
        kitting = selectors.kitting_list(order)
        assert len(kitting) == len(order.snapshot["bom"]["lines"])
        assert any(kit.picks for kit in kitting)
