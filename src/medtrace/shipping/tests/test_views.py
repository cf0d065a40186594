"""The shipping pages: order list (scoped, bounded queries), create, detail; the picking
screen's scan answers (green, and red with the core's reason for a held lot, nothing
written); packing, labels and PDFs; the public confirmation link; returns."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medtrace.shipping.choices import OrderStatus, ReturnStatus
from medtrace.shipping.models import Pick, ReturnAuthorization, ShipmentOrder
from medtrace.shipping.services import packing, picking, shipment
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db


def scan(client, order, code, **fields):
    return client.post(reverse("shipping:pick-scan", args=[order.pk]), {"code": code, **fields})


def test_create_an_order_from_the_page(client, qa_a, site_a, hospital, infusion, series):
    client.force_login(qa_a)
    page = client.get(reverse("shipping:order-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("shipping:order-create"),
        {
            "site": site_a.pk,
            "customer": hospital.pk,
            "customer_reference": "PO-1",
            "lines-TOTAL_FORMS": "4",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": infusion.pk,
            "lines-0-quantity": "25",
        },
    )
    order = ShipmentOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "shipping:order-detail", args=[order.pk]
    )
    detail = client.get(response.url)
    assert b'data-action="release"' in detail.content
    client.post(reverse("shipping:order-action", args=[order.pk, "release"]))
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED


def test_the_picking_screen_answers_each_scan(
    client, make_order, clerk_a, infusion, lots, make_lot, put, bins, today
):
    held = make_lot(infusion, "H1", expires_on=today + timedelta(days=300))
    put(held, bins["A-01"], 20, disposition="non_conformant")
    order = make_order((infusion, 10))
    client.force_login(clerk_a)
    page = client.get(reverse("shipping:pick", args=[order.pk]))
    assert page.status_code == 200
    assert b"data-scan-station" in page.content and b"E1" in page.content
    events = TraceEvent.objects.count()
    refused = scan(client, order, "H1", quantity="5", key="k-held")
    assert refused.status_code == 200
    assert b'data-ok="false"' in refused.content
    assert "Lot H1 of IS-2001 has status On hold" in refused.content.decode()
    no_reason = scan(client, order, "L1", quantity="5")
    assert b'data-ok="false"' in no_reason.content and b"Give the reason" in no_reason.content
    assert TraceEvent.objects.count() == events and not Pick.objects.exists()
    ok = scan(client, order, "E1", quantity="4", key="k-1")
    assert b'data-ok="true"' in ok.content and ok["HX-Trigger"]
    again = scan(client, order, "E1", quantity="4", key="k-1")
    assert b'data-ok="true"' in again.content and Pick.objects.count() == 1
    scan(client, order, "L1", quantity="6", reason="客户指定")
    assert Pick.objects.get(lot=lots["late"]).deviation_reason == "客户指定"
    progress = client.get(reverse("shipping:pick-progress", args=[order.pk]))
    assert b"10" in progress.content


def test_pack_print_ship_and_confirm_through_the_link(
    client, make_order, clerk_a, qa_a, infusion, lots
):
    order = make_order((infusion, 10))
    picking.pick(order, obj=lots["early"], quantity=10, by=clerk_a)
    client.force_login(clerk_a)
    assert client.get(reverse("shipping:pack", args=[order.pk])).status_code == 200
    client.post(
        reverse("shipping:pack", args=[order.pk]),
        {"what": "case", "object": [lots["early"].pk], f"quantity-{lots['early'].pk}": "6"},
    )
    client.post(reverse("shipping:pack", args=[order.pk]), {"what": "case"})
    client.post(reverse("shipping:pack", args=[order.pk]), {"what": "pallet"})
    assert order.packages.count() == 3
    client.post(reverse("shipping:order-action", args=[order.pk, "finish_packing"]))
    client.post(reverse("shipping:order-action", args=[order.pk, "ship"]))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    label = client.get(reverse("shipping:label", args=[order.packages.first().pk]))
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    for kind in ("packing-list", "delivery-note"):
        pdf = client.get(reverse("shipping:document", args=[order.pk, kind]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    detail = client.get(reverse("shipping:order-detail", args=[order.pk]))
    assert b"data-delivery-link" in detail.content
    client.logout()
    url = reverse("shipping:confirm", args=[shipment.delivery_token(order)])
    public = client.get(url)
    assert public.status_code == 200 and order.number.encode() in public.content
    wrong = client.post(url, {"received_by": "王护士", "scanned": "123456789012345678"})
    assert "is not part of shipment" in wrong.content.decode()
    pallet = order.packages.get(kind="pallet")
    done = client.post(url, {"received_by": "王护士", "scanned": pallet.sscc})
    assert b"data-confirmed" in done.content
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_scanned == [pallet.sscc]
    assert client.get(reverse("shipping:confirm", args=["forged"])).status_code == 404


def test_return_pages(client, make_order, clerk_a, qa_a, infusion, lots, bins):
    order = make_order((infusion, 5))
    picking.pick(order, obj=lots["early"], quantity=5, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    shipment.ship(order, by=clerk_a)
    client.force_login(qa_a)
    client.post(
        reverse("shipping:order-delivery", args=[order.pk]),
        {"received_by": "电话: 刘主任", "note": "by phone"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_channel == "staff"
    assert client.get(reverse("shipping:return-create", args=[order.pk])).status_code == 200
    client.post(
        reverse("shipping:return-create", args=[order.pk]),
        {"object": [lots["early"].pk], f"quantity-{lots['early'].pk}": "2", "reason": "破损"},
    )
    rma = ReturnAuthorization.objects.get()
    client.force_login(clerk_a)
    client.post(reverse("shipping:return-receive", args=[rma.pk]))
    client.force_login(qa_a)
    page = client.get(reverse("shipping:return-detail", args=[rma.pk]))
    assert b"Record the decision" in page.content
    line = rma.lines.get()
    client.post(
        reverse("shipping:return-decide", args=[rma.pk, line.pk]),
        {
            f"line{line.pk}-decision": "restock",
            f"line{line.pk}-location": bins["A-02"].pk,
            f"line{line.pk}-reason": "合格",
        },
    )
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED
    assert client.get(reverse("shipping:return-list")).status_code == 200
    assert client.get(reverse("shipping:terms")).status_code == 200


def test_the_list_is_scoped_and_its_queries_bounded(
    client, make_order, infusion, lots, qa_a, qa_b, catheter
):
    for _n in range(3):
        make_order((infusion, 1), (catheter, 1))
    client.force_login(qa_a)
    client.get(reverse("shipping:order-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("shipping:order-list"))
    make_order((infusion, 2))
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("shipping:order-list"))
    assert len(more) == len(few)
    assert page.content.decode().count("SO-") == 4
    client.force_login(qa_b)
    assert "SO-" not in client.get(reverse("shipping:order-list")).content.decode()


def test_other_sites_get_404_and_the_operator_403(
    client, make_order, infusion, lots, clerk_b, operator_a
):
    order = make_order((infusion, 1))
    client.force_login(clerk_b)
    for name in ("shipping:order-detail", "shipping:pick"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 404
    assert scan(client, order, "E1", quantity="1").status_code == 404
    client.force_login(operator_a)
    assert client.get(reverse("shipping:order-detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("shipping:pick", args=[order.pk])).status_code == 403
    assert scan(client, order, "E1", quantity="1").status_code == 403
    assert not Pick.objects.exists()


def test_scan_units_into_a_case_and_close_it(client, make_order, clerk_a, catheter, units):
    order = make_order((catheter, 2))
    for unit in units[:2]:
        picking.pick(order, obj=unit, by=clerk_a)
    client.force_login(clerk_a)
    url = reverse("shipping:pack-scan", args=[order.pk])
    first = client.post(url, {"code": "S0"})
    assert b'data-ok="true"' in first.content
    twice = client.post(url, {"code": "S0"})
    assert b'data-ok="false"' in twice.content
    not_picked = client.post(url, {"code": "S2"})
    assert b'data-ok="false"' in not_picked.content
    pending = client.get(reverse("shipping:pack-pending", args=[order.pk]))
    assert pending.content.count(b"data-pending") == 1
    client.post(reverse("shipping:pack-close", args=[order.pk]))
    case = order.packages.get()
    assert [c.object_id for c in case.contents.all()] == [units[0].pk]
    assert b"data-pending" not in client.get(reverse("shipping:pack", args=[order.pk])).content
