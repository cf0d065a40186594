"""Order to delivery: pick (FEFO, shelf life, statuses, idempotent keys), pack into SSCC cases
and pallets, ship to the customer's party (trace forward names the consignee), confirm."""

from datetime import timedelta
from decimal import Decimal

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.shipping import selectors
from medtrace.shipping.choices import OrderStatus
from medtrace.shipping.models import Pick
from medtrace.shipping.services import orders, packing, picking, shipment
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import TraceEvent
from medtrace.trace.services.objects import ensure_party

pytestmark = pytest.mark.django_db


def on_hand(obj) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=obj)}


def audited(obj, action=None):
    rows = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return rows.filter(action=action) if action else rows


def test_order_from_pick_to_delivery(make_order, infusion, lots, clerk_a, qa_a, hospital, bins):
    order = make_order((infusion, 30))
    assert order.status == OrderStatus.RELEASED
    listed = selectors.picking_list(order)
    assert listed[0].fefo_lot == lots["early"]
    pick = picking.pick(order, obj=lots["early"], quantity="30", by=clerk_a)
    assert pick.source == bins["A-01"] and pick.deviation_reason == ""
    assert on_hand(lots["early"]) == {"A-01": Decimal(70), "SHP": Decimal(30)}
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKING
    assert audited(pick).count() == 1
    case = packing.pack_case(order, by=clerk_a)
    assert case.sscc.startswith("39506000") and len(case.sscc) == 18
    assert [(c.object_id, c.quantity) for c in case.contents.all()] == [
        (lots["early"].pk, Decimal(30))
    ]
    pallet = packing.pack_pallet(order, by=clerk_a)
    order = packing.finish_packing(order, by=clerk_a)
    assert order.status == OrderStatus.PACKED
    order = shipment.ship(order, by=clerk_a)
    assert order.status == OrderStatus.SHIPPED
    assert on_hand(lots["early"]) == {"A-01": Decimal(70)}
    # Part of the lot is still ours: the lot stays available for the next order.
    assert status_of(lots["early"]).status == StockStatus.AVAILABLE
    document = order.shipment_event.document
    party = ensure_party(organization=hospital.organization, customer=hospital)
    assert {"type": "owning_party", "destination": party.identifier} in document["destinationList"]
    assert document["epcList"] == [pallet.container.identifier]
    forward = trace_forward(lots["early"])
    assert party in forward.destinations
    assert {case.container, pallet.container} <= set(forward.containers)
    # Delivery through the signed link: the customer's receipt moves none of our stock.
    token = shipment.delivery_token(order)
    assert shipment.order_for_token(token) == order
    events = TraceEvent.objects.count()
    order = shipment.confirm_delivery(
        order, channel="link", received_by="张护士长", scanned=[pallet.sscc]
    )
    assert order.status == OrderStatus.DELIVERED
    assert TraceEvent.objects.count() == events + 1
    assert order.delivery_event.biz_step == "receiving"
    assert order.delivery_event.biz_location == f"https://id.gs1.org/414/{hospital.gln}"
    assert {
        "type": "po",
        "bizTransaction": "urn:medtrace:test-devices-co:customer-po:H-RUIJIN:PO-778",
    } in (document["bizTransactionList"])
    assert on_hand(lots["early"]) == {"A-01": Decimal(70)}
    entry = audited(order, "transition").order_by("-pk").first()
    assert entry.changes["received_by"] == [None, "张护士长"]
    assert "H-RUIJIN" in entry.actor_name
    with pytest.raises(DomainError, match="already confirmed"):
        shipment.confirm_delivery(order, channel="link", received_by="again")


def test_a_forged_link_is_refused():
    with pytest.raises(DomainError) as refused:
        shipment.order_for_token("not-a-token")
    assert refused.value.code == ErrorCode.NOT_FOUND


def test_a_later_lot_needs_a_reason_which_is_kept(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 10))
    events = TraceEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        picking.pick(order, obj=lots["late"], quantity=10, by=clerk_a)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert "lot E1" in str(refused.value.message)
    assert TraceEvent.objects.count() == events and not Pick.objects.exists()
    pick = picking.pick(
        order, obj=lots["late"], quantity=10, by=clerk_a, reason="客户指定批号 / customer asked"
    )
    assert pick.suggested_lot == lots["early"]
    assert pick.deviation_reason == "客户指定批号 / customer asked"
    assert audited(pick).get().reason == "客户指定批号 / customer asked"


def test_short_shelf_life_is_refused_at_pick_and_left_out_of_fefo(
    make_order, infusion, make_lot, put, bins, today, lots, clerk_a
):
    short = make_lot(infusion, "S1", expires_on=today + timedelta(days=30))
    put(short, bins["A-01"], 50)
    order = make_order((infusion, 10))
    assert selectors.picking_list(order)[0].fefo_lot == lots["early"]
    with pytest.raises(DomainError) as refused:
        picking.pick(order, obj=short, quantity=10, by=clerk_a, reason="any")
    assert "30 days of shelf life left" in str(refused.value.message)
    assert "H-RUIJIN accepts at least 90" in str(refused.value.message)
    assert on_hand(short) == {"A-01": Decimal(50)}


def test_shelf_life_is_checked_again_at_shipping(make_order, infusion, lots, clerk_a, qa_a):
    order = make_order((infusion, 5))
    picking.pick(order, obj=lots["early"], quantity=5, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    orders.set_terms(customer=order.customer, min_remaining_shelf_life_days=300, by=qa_a)
    with pytest.raises(DomainError, match="cannot be shipped for them"):
        shipment.ship(order, by=clerk_a)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED and order.shipment_event is None


@pytest.mark.parametrize(
    ("disposition", "label"),
    [
        ("non_conformant", "On hold"),
        ("in_progress", "Quarantine"),
        ("recalled", "Recalled"),
        ("expired", "Expired"),
    ],
)
def test_unavailable_lots_are_refused_by_the_core_with_the_reason(
    make_order, infusion, make_lot, put, bins, today, clerk_a, admin_a, disposition, label
):
    held = make_lot(infusion, "H1", expires_on=today + timedelta(days=300))
    put(held, bins["A-01"], 20, disposition=disposition)
    order = make_order((infusion, 5))
    assert selectors.picking_list(order)[0].suggestions == []
    events = TraceEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        picking.pick(order, obj=held, quantity=5, by=clerk_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    message = str(refused.value.message)
    assert message.startswith(f"Lot H1 of IS-2001 has status {label}")
    assert "cannot be picked" in message
    assert TraceEvent.objects.count() == events and not Pick.objects.exists()


def test_the_same_key_picks_once(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 20))
    first = picking.pick(order, obj=lots["early"], quantity=4, by=clerk_a, key="k-1")
    again = picking.pick(order, obj=lots["early"], quantity=4, by=clerk_a, key="k-1")
    assert again.pk == first.pk
    assert Pick.objects.count() == 1
    assert on_hand(lots["early"])["SHP"] == Decimal(4)


def test_over_picking_and_foreign_items_are_refused(make_order, infusion, lots, units, clerk_a):
    order = make_order((infusion, 5))
    with pytest.raises(DomainError, match="needs 5 EA more"):
        picking.pick(order, obj=lots["early"], quantity=6, by=clerk_a)
    with pytest.raises(DomainError, match="is not on"):
        picking.pick(order, obj=units[0], by=clerk_a)


def test_only_a_released_order_is_picked_and_only_by_the_warehouse(
    make_order, infusion, lots, clerk_a, operator_a
):
    draft = make_order((infusion, 5), release=False)
    with pytest.raises(DomainError, match="only a released order is picked"):
        picking.pick(draft, obj=lots["early"], quantity=5, by=clerk_a)
    order = make_order((infusion, 5))
    with pytest.raises(DomainError) as refused:
        picking.pick(order, obj=lots["early"], quantity=5, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_ship_before_packed_is_refused(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 5))
    picking.pick(order, obj=lots["early"], quantity=5, by=clerk_a)
    with pytest.raises(DomainError) as refused:
        shipment.ship(order, by=clerk_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(DomainError, match="not packed in a case"):
        packing.finish_packing(order, by=clerk_a)
    assert on_hand(lots["early"])["SHP"] == Decimal(5)


def test_finish_packing_needs_every_line_picked(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 10))
    picking.pick(order, obj=lots["early"], quantity=4, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    with pytest.raises(DomainError, match="not fully picked: 4 of 10"):
        packing.finish_packing(order, by=clerk_a)


def test_serialized_units_ship_in_a_case_and_go_in_transit(
    make_order, catheter, units, clerk_a, hospital
):
    order = make_order((catheter, 2))
    with pytest.raises(DomainError, match="serialized: scan the units"):
        picking.pick(order, obj=units[0].lot, quantity=2, by=clerk_a)
    for unit in units[:2]:
        picking.pick(order, obj=unit, by=clerk_a)
    case = packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    order = shipment.ship(order, by=clerk_a, key="ship-1")
    again = shipment.ship(order, by=clerk_a, key="ship-1")
    assert again.shipment_event_id == order.shipment_event_id
    assert status_of(units[0]).status == StockStatus.IN_TRANSIT
    assert on_hand(units[0]) == {} and on_hand(units[2]) == {"A-01": Decimal(1)}
    party = ensure_party(organization=hospital.organization, customer=hospital)
    assert party in trace_forward(units[0]).destinations
    assert case.container in trace_forward(units[0]).containers


def test_a_lapsed_licence_stops_the_order(make_order, infusion, organization, qa_a, today):
    from medtrace.partners.services.customers import create_customer

    lapsed = create_customer(
        organization=organization, code="D-OLD", name="旧经销商", kind="distributor",
        licence_valid_until=today - timedelta(days=1), by=qa_a,
    )  # fmt: skip
    with pytest.raises(DomainError, match="nothing may be shipped"):
        make_order((infusion, 1), customer=lapsed)


def test_cancel_needs_a_reason(make_order, infusion, qa_a):
    order = make_order((infusion, 1))
    with pytest.raises(DomainError) as refused:
        orders.cancel_order(order, by=qa_a, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    order = orders.cancel_order(order, by=qa_a, reason="客户取消")
    assert order.status == OrderStatus.CANCELLED


def test_a_pick_is_put_back_and_then_the_order_may_be_cancelled(
    make_order, infusion, lots, clerk_a, qa_a
):
    order = make_order((infusion, 10))
    pick = picking.pick(order, obj=lots["early"], quantity=10, by=clerk_a)
    with pytest.raises(DomainError, match="put them back before cancelling"):
        orders.cancel_order(order, by=qa_a, reason="客户取消")
    with pytest.raises(DomainError) as refused:
        picking.put_back(pick, by=clerk_a, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    pick = picking.put_back(pick, by=clerk_a, reason="客户取消订单")
    assert on_hand(lots["early"]) == {"A-01": Decimal(100)}
    assert selectors.picking_list(order)[0].picked == 0
    assert audited(pick, "change").get().reason == "客户取消订单"
    with pytest.raises(DomainError, match="already put back"):
        picking.put_back(pick, by=clerk_a, reason="again")
    order = orders.cancel_order(order, by=qa_a, reason="客户取消")
    assert order.status == OrderStatus.CANCELLED


def test_packed_goods_are_not_put_back(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 10))
    pick = picking.pick(order, obj=lots["early"], quantity=10, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    with pytest.raises(DomainError, match="already packed"):
        picking.put_back(pick, by=clerk_a, reason="wrong")


def test_a_key_used_by_another_order_is_refused(make_order, infusion, lots, clerk_a):
    first = make_order((infusion, 5))
    second = make_order((infusion, 5))
    picking.pick(first, obj=lots["early"], quantity=5, by=clerk_a, key="same")
    with pytest.raises(DomainError) as refused:
        picking.pick(second, obj=lots["early"], quantity=5, by=clerk_a, key="same")
    assert refused.value.code == ErrorCode.CONFLICT
    assert not second.picks.exists()
