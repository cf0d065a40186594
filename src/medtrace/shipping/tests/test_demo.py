"""The demo's shipping desk: orders in every state on the demo plant, the delivered order's
lots traced forward to the hospital, a return under an NCR."""

from medtrace.inventory.models import Stock
from medtrace.shipping.choices import OrderStatus, ReturnStatus
from medtrace.shipping.models import ReturnAuthorization, ShipmentOrder
from medtrace.trace.engine import trace_forward


def test_the_demo_ships_to_its_customers(demo_plant):
    states = set(ShipmentOrder.objects.values_list("status", flat=True))
    assert {
        OrderStatus.DRAFT,
        OrderStatus.RELEASED,
        OrderStatus.PICKING,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    } <= states
    # (the closed recall's orders are delivered too: demo.recalls)
    delivered = ShipmentOrder.objects.get(customer_reference="SUDA-2026-118")
    assert delivered.status == OrderStatus.DELIVERED
    lot = delivered.picks.filter(object__kind="lot").first().lot
    assert "H-SUDA1" in {
        party.customer.code for party in trace_forward(lot).destinations if party.customer
    }
    assert Stock.objects.filter(site=delivered.site, location__code="SHP").exists()
    # (the closed recall's returns come back against its own orders)
    rma = ReturnAuthorization.objects.get(order__customer_reference="SUDA-2026-118")
    assert rma.status == ReturnStatus.CLOSED and rma.lines.get().ncr is not None
    # Every page of the desk renders on the demo's data.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(demo_plant.users["qa"])
    for order in ShipmentOrder.objects.all():
        assert client.get(reverse("shipping:order-detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("shipping:return-detail", args=[rma.pk])).status_code == 200
    assert client.get(reverse("shipping:order-list")).status_code == 200
    note = client.get(reverse("shipping:document", args=[delivered.pk, "delivery-note"]))
    assert note.content.startswith(b"%PDF")
    client.force_login(demo_plant.users["warehouse"])
    picking_now = ShipmentOrder.objects.get(status=OrderStatus.PICKING)
    assert client.get(reverse("shipping:pick", args=[picking_now.pk])).status_code == 200
    assert client.get(reverse("shipping:pack", args=[picking_now.pk])).status_code == 200
