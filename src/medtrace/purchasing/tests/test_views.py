"""The purchasing pages: the list and its query count, drafting an order with a line, the
receiving screen answering a scan with the feedback fragment, the receipt page with its release,
site isolation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from medtrace.purchasing.models import PurchaseOrder, Receipt
from medtrace.purchasing.services import orders, receiving
from medtrace.purchasing.tests.conftest import days, label

pytestmark = pytest.mark.django_db


def test_the_order_list_reads_in_constant_queries(client, buyer_a, draft):
    client.force_login(buyer_a)
    draft()
    url = reverse("purchasing:order-list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _n in range(4):
        draft()
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(five) == len(one)
    assert response.content.decode().count("data-order=") == 5


def test_draft_an_order_and_add_a_line(client, buyer_a, site_a, resin, resin_supplier):
    client.force_login(buyer_a)
    response = client.post(
        reverse("purchasing:order-create"), {"site": site_a.pk, "supplier": resin_supplier.pk}
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("purchasing:order-add-line", args=[order.pk]),
        {"item": resin.pk, "quantity": "20", "expected_on": days(3).isoformat()},
    )
    assert response.status_code == 302 and order.lines.count() == 1
    response = client.post(reverse("purchasing:order-action", args=[order.pk, "release"]))
    assert response.status_code == 302
    assert PurchaseOrder.objects.get().status == "released"
    page = client.get(reverse("purchasing:order-detail", args=[order.pk])).content.decode()
    assert 'data-verdict="allowed"' in page


def test_the_receiving_screen_answers_a_scan(client, clerk_a, released):
    client.force_login(clerk_a)
    url = reverse("purchasing:receive", args=[released.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"code": label(expiry=days(200)), "quantity": "10", "key": "k-1",
              "at": (timezone.now() - timedelta(minutes=2)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'data-ok="true"' in response.content.decode()
    assert "10 KG received into quarantine" in response.content.decode()
    assert response["HX-Trigger"]
    refused = client.post(url, {"code": "0109506000990013", "quantity": "1", "key": "k-2"})
    assert refused.status_code == 200 and 'data-ok="false"' in refused.content.decode()
    assert Receipt.objects.count() == 1


def test_the_receipt_page_releases_with_a_signature(client, clerk_a, qa_a, released):
    receipt = receiving.receive(released, by=clerk_a, quantity="5", supplier_lot="K")
    client.force_login(qa_a)
    url = reverse("purchasing:receipt-detail", args=[receipt.pk])
    assert 'id="action-release"' in client.get(url).content.decode()
    response = client.post(
        reverse("purchasing:receipt-release", args=[receipt.pk]),
        {"meaning": "released", "password": "wrong"},
    )
    assert response.status_code == 200 and "password is wrong" in response.content.decode()
    response = client.post(
        reverse("purchasing:receipt-release", args=[receipt.pk]),
        {"meaning": "released", "password": PASSWORD},
    )
    assert response.status_code == 302 and Receipt.objects.get().status == "released"


def test_the_exception_form_signs_for_the_qa_manager(client, qa_a, draft, conditional_supplier):
    order = draft(supplier=conditional_supplier)
    line = order.lines.get()
    client.force_login(qa_a)
    page = client.get(reverse("purchasing:order-detail", args=[order.pk])).content.decode()
    assert f'id="exception-{line.pk}"' in page
    response = client.post(
        reverse("purchasing:line-exception", args=[line.pk]),
        {"meaning": "approved", "password": PASSWORD, "reason": "Only source"},
    )
    assert response.status_code == 302
    assert orders.covering_exception(line, orders.verdict_of(line)) is not None


def test_other_sites_see_nothing(client, buyer_b, clerk_b, released):
    client.force_login(buyer_b)
    assert (
        client.get(reverse("purchasing:order-detail", args=[released.order_id])).status_code == 404
    )
    assert "data-order" not in client.get(reverse("purchasing:order-list")).content.decode()
    client.force_login(clerk_b)
    assert client.get(reverse("purchasing:receive", args=[released.pk])).status_code == 404
    response = client.post(reverse("purchasing:receive", args=[released.pk]),
                           {"supplier_lot": "K", "quantity": "1"})  # fmt: skip
    assert response.status_code == 404 and not Receipt.objects.exists()


def test_expected_receipts_page(client, clerk_a, released):
    client.force_login(clerk_a)
    page = client.get(reverse("purchasing:expected")).content.decode()
    assert released.order.number in page and 'data-action="receive"' in page


def test_expected_receipts_read_in_constant_queries(client, clerk_a, draft, buyer_a):
    client.force_login(clerk_a)
    orders.release(draft(), by=buyer_a)
    url = reverse("purchasing:expected")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(3):
        orders.release(draft(), by=buyer_a)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert len(four) == len(one) and page.count('data-action="receive"') == 4
