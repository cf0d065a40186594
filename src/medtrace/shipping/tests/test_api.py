"""/api/v1/shipping: an order from creation to delivery and return over the API; refusals
(held lot, FEFO without reason, a return of what never went there) answer the shared error
body and write nothing; a retried pick with the same key records once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from medtrace.inventory.models import Stock
from medtrace.shipping.models import Pick, ShipmentOrder
from medtrace.shipping.services import shipment
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/shipping"


def post(client, path, body=None):
    return client.post(API + path, body or {}, content_type="application/json")


def test_order_to_delivery_over_the_api(client, qa_a, clerk_a, infusion, lots, hospital, series):
    client.force_login(qa_a)
    created = post(
        client,
        "/orders",
        {"site": "A1", "customer": "h-ruijin", "lines": [{"item": "IS-2001", "quantity": 12}]},
    )
    assert created.status_code == 201, created.json()
    order_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert post(client, f"/orders/{order_id}/actions/release").json()["status"] == "released"
    client.force_login(clerk_a)
    listed = client.get(f"{API}/orders/{order_id}/picking-list").json()
    assert listed[0]["fefo_lot"] == "E1" and Decimal(listed[0]["remaining"]) == 12
    body = {"code": "E1", "quantity": "12", "key": "3f0c2a9e-1", "at": None}
    first = post(client, f"/orders/{order_id}/picks", body)
    assert first.status_code == 201, first.json()
    again = post(client, f"/orders/{order_id}/picks", body)
    assert again.json()["id"] == first.json()["id"] and Pick.objects.count() == 1
    case = post(client, f"/orders/{order_id}/packages", {"kind": "case"})
    assert case.status_code == 201 and Decimal(case.json()["contents"][0]["quantity"]) == 12
    early = post(client, f"/orders/{order_id}/ship", {})
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_state"
    assert post(client, f"/orders/{order_id}/actions/finish_packing").json()["status"] == "packed"
    shipped = post(client, f"/orders/{order_id}/ship", {"key": "ship-k"})
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    order = ShipmentOrder.objects.get(pk=order_id)
    client.logout()
    token = shipment.delivery_token(order)
    confirmed = post(
        client,
        f"/delivery-confirmations/{token}",
        {"received_by": "Dr. Li", "scanned": [case.json()["sscc"]]},
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "delivered"
    forged = post(client, "/delivery-confirmations/forged", {"received_by": "x"})
    assert forged.status_code == 404
    client.force_login(qa_a)
    rma = post(
        client,
        "/returns",
        {"order": order_id, "reason": "破损", "lines": [{"code": "E1", "quantity": "2"}]},
    )
    assert rma.status_code == 201, rma.json()
    never = post(
        client,
        "/returns",
        {"order": order_id, "reason": "x", "lines": [{"code": "L1", "quantity": "1"}]},
    )
    assert never.status_code == 422 and "was not shipped" in never.json()["error"]["message"]
    client.force_login(clerk_a)
    received = post(client, f"/returns/{rma.json()['id']}/receive", {})
    assert received.json()["status"] == "received"
    client.force_login(qa_a)
    line = received.json()["lines"][0]["id"]
    decided = post(
        client,
        f"/returns/{rma.json()['id']}/lines/{line}/decision",
        {"decision": "restock", "reason": "合格", "location": "A-01"},
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "closed"


def test_refusals_answer_the_error_body_and_write_nothing(
    client, make_order, clerk_a, infusion, lots, make_lot, put, bins, today
):
    held = make_lot(infusion, "H1", expires_on=today + timedelta(days=300))
    put(held, bins["A-01"], 20, disposition="non_conformant")
    order = make_order((infusion, 10))
    client.force_login(clerk_a)
    events = TraceEvent.objects.count()
    refused = post(client, f"/orders/{order.pk}/picks", {"code": "H1", "quantity": 5})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"].startswith("Lot H1 of IS-2001 has status On hold")
    no_reason = post(client, f"/orders/{order.pk}/picks", {"code": "L1", "quantity": 5})
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    assert "reason" in no_reason.json()["error"]["details"]["fields"]
    assert TraceEvent.objects.count() == events and not Pick.objects.exists()
    assert Stock.objects.get(object=held).quantity == Decimal(20)


def test_other_sites_see_nothing_and_the_operator_cannot_pick(
    client, make_order, infusion, lots, clerk_b, operator_a
):
    order = make_order((infusion, 1))
    client.force_login(clerk_b)
    assert client.get(f"{API}/orders/{order.pk}").status_code == 404
    assert client.get(f"{API}/orders").json()["count"] == 0
    client.force_login(operator_a)
    refused = post(client, f"/orders/{order.pk}/picks", {"code": "E1", "quantity": 1})
    assert refused.status_code == 403


def test_a_gs1_unit_label_is_picked_and_the_staff_records_the_delivery(
    client, make_order, catheter, make_lot, put, bins, site_a, clerk_a, qa_a, today
):
    from medtrace.scan.checks import gs1_check_digit
    from medtrace.shipping.services import packing
    from medtrace.trace.services.objects import create_unit

    gtin = "0950600012345" + gs1_check_digit("0950600012345")
    lot = make_lot(catheter, "C9", expires_on=today + timedelta(days=700))
    unit = create_unit(item=catheter, serial="SN77", gtin=gtin, lot=lot, site=site_a)
    put(unit, bins["A-01"])
    order = make_order((catheter, 1))
    client.force_login(clerk_a)
    picked = post(client, f"/orders/{order.pk}/picks", {"code": f"(01){gtin}(21)SN77"})
    assert picked.status_code == 201, picked.json()
    assert picked.json()["object"] == unit.identifier
    packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    assert post(client, f"/orders/{order.pk}/ship", {}).status_code == 200
    client.force_login(qa_a)
    done = post(client, f"/orders/{order.pk}/delivery", {"note": "电话确认 / by phone"})
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert done.json()["delivery_channel"] == "api"


def test_the_order_list_costs_the_same_for_more_orders(
    client, make_order, infusion, catheter, qa_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_order((infusion, 1), (catheter, 1))
    client.force_login(qa_a)
    client.get(f"{API}/orders")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/orders")
    make_order((infusion, 2), (catheter, 2))
    make_order((infusion, 3))
    with CaptureQueriesContext(connection) as more:
        listed = client.get(f"{API}/orders").json()
    assert listed["count"] == 3 and len(more) == len(few)
    assert [line["item"] for line in listed["items"][-1]["lines"]] == ["IS-2001", "CVC-9"]
