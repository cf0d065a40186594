"""/api/v1/purchasing: orders drafted, released (refused for an unapproved source), the
expected receipts, receiving with a client key (a retry answers once), releasing a lot with a
signature; site scope and permissions, refusals writing nothing."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from medtrace.purchasing.tests.conftest import SUPPLIER_GTIN, days, label
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/purchasing"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


@pytest.fixture
def as_user(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_draft_and_release_an_order(as_user, buyer_a, resin, resin_supplier):
    client = as_user(buyer_a)
    body = {
        "site": "a1", "supplier": "sup-res", "note": "Q1",
        "lines": [{"item": "PVC-100", "quantity": "500", "expected_on": str(days(5)),
                   "supplier_gtin": SUPPLIER_GTIN}],
    }  # fmt: skip
    response = post(client, "/orders", body)
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "draft" and order["lines"][0]["source_verdict"] == "allowed"
    response = post(client, f"/orders/{order['id']}/actions/release", {})
    assert response.status_code == 200 and response.json()["status"] == "released"
    listed = client.get(API + "/expected-receipts").json()
    assert [row["order"] for row in listed["items"]] == [order["number"]]


def test_an_unapproved_source_answers_409_and_stays_draft(as_user, buyer_a, draft, organization):
    from medtrace.partners import services as partners

    other = partners.create_supplier(organization=organization, code="SUP-X", name="X")
    order = draft(supplier=other)
    response = post(as_user(buyer_a), f"/orders/{order.pk}/actions/release", {})
    assert response.status_code == 409
    assert "SUP-X" in response.json()["error"]["message"]
    assert PurchaseOrder.objects.get(pk=order.pk).status == "draft"


def test_receive_with_a_key_records_once(as_user, clerk_a, released):
    client = as_user(clerk_a)
    body = {"code": label(expiry=days(300)), "quantity": "40", "key": "scan-0001"}
    first = post(client, f"/lines/{released.pk}/receipts", body)
    assert first.status_code == 201, first.json()
    events = TraceEvent.objects.count()
    again = post(client, f"/lines/{released.pk}/receipts", body)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert TraceEvent.objects.count() == events and Receipt.objects.count() == 1
    receipt = first.json()
    assert receipt["status"] == "quarantine" and receipt["supplier_lot_number"] == "KS2611-01"


def test_a_future_scan_time_is_refused(as_user, clerk_a, released):
    response = post(
        as_user(clerk_a), f"/lines/{released.pk}/receipts",
        {"supplier_lot": "K", "quantity": "1", "at": "2099-01-01T00:00:00Z"},
    )  # fmt: skip
    assert response.status_code == 422 and not Receipt.objects.exists()


def test_release_a_lot_with_a_signature(as_user, clerk_a, qa_a, released):
    receipt = post(as_user(clerk_a), f"/lines/{released.pk}/receipts",
                   {"supplier_lot": "K", "quantity": "5"}).json()  # fmt: skip
    client = as_user(qa_a)
    wrong = post(client, f"/receipts/{receipt['id']}/release", {"password": "x"})
    assert wrong.status_code == 403
    response = post(
        client, f"/receipts/{receipt['id']}/release", {"password": PASSWORD, "location": "A-01"}
    )
    assert response.status_code == 404  # no bin A-01 at this site without the bins fixture
    response = post(client, f"/receipts/{receipt['id']}/release", {"password": PASSWORD})
    assert response.status_code == 200 and response.json()["status"] == "released"


def test_permissions_and_site_scope(as_user, clerk_a, clerk_b, buyer_b, released):
    response = post(as_user(clerk_b), f"/lines/{released.pk}/receipts",
                    {"supplier_lot": "K", "quantity": "5"})  # fmt: skip
    assert response.status_code == 404
    assert as_user(buyer_b).get(f"{API}/orders/{released.order_id}").status_code == 404
    assert as_user(buyer_b).get(f"{API}/orders").json()["count"] == 0
    response = post(as_user(clerk_a), f"/orders/{released.order_id}/actions/cancel",
                    {"reason": "x"})  # fmt: skip
    assert response.status_code == 403
    assert not Receipt.objects.exists()


def test_an_exception_over_the_api(as_user, qa_a, buyer_a, draft, conditional_supplier):
    order = draft(supplier=conditional_supplier)
    line = order.lines.get()
    response = post(as_user(qa_a), f"/lines/{line.pk}/exception",
                    {"password": PASSWORD, "reason": "Only source"})  # fmt: skip
    assert response.status_code == 201, response.json()
    response = post(as_user(buyer_a), f"/orders/{order.pk}/actions/release", {})
    assert response.json()["status"] == "released"


def test_a_refused_receipt_answers_with_the_rule_and_writes_nothing(as_user, clerk_a, released):
    events = TraceEvent.objects.count()
    response = post(as_user(clerk_a), f"/lines/{released.pk}/receipts",
                    {"supplier_lot": "K", "quantity": "150"})  # fmt: skip
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "reason_required" and "reason" in error["details"]["fields"]
    assert TraceEvent.objects.count() == events and not Receipt.objects.exists()


def test_attach_a_certificate(as_user, clerk_a, released):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(clerk_a)
    receipt = post(client, f"/lines/{released.pk}/receipts",
                   {"supplier_lot": "K", "quantity": "5"}).json()  # fmt: skip
    upload = SimpleUploadedFile("coa.pdf", b"%PDF-1.7 coa", content_type="application/pdf")
    response = client.post(f"{API}/receipts/{receipt['id']}/certificate", {"file": upload})
    assert response.status_code == 200 and len(response.json()["certificate_sha256"]) == 64
    bad = SimpleUploadedFile("coa.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(f"{API}/receipts/{receipt['id']}/certificate", {"file": bad})
    assert response.status_code == 422


def _order_entries(order):
    return AuditEntry.objects.filter(object_type="purchasing.purchaseorder", object_id=order.pk)


def test_add_a_line_to_a_draft(as_user, buyer_a, draft):
    order = draft()
    entries = _order_entries(order).count()
    body = {"item": "pvc-100", "quantity": "25", "expected_on": str(days(10)),
            "supplier_item_code": " KS-9 ", "min_remaining_days": 90}  # fmt: skip
    response = post(as_user(buyer_a), f"/orders/{order.pk}/lines", body)
    assert response.status_code == 201, response.json()
    answered = response.json()
    assert answered["id"] == order.pk and [line["position"] for line in answered["lines"]] == [1, 2]
    added = PurchaseOrderLine.objects.get(order=order, position=2)
    assert (added.item.code, added.quantity, added.uom) == ("PVC-100", Decimal("25"), "KG")
    assert (added.supplier_item_code, added.min_remaining_days) == ("KS-9", 90)
    assert added.expected_on == days(10)
    entry = _order_entries(order).latest("sequence")
    assert _order_entries(order).count() == entries + 1 and entry.actor == buyer_a
    assert entry.changes == {"lines": [None, [2, "PVC-100", "25", "KG", str(days(10))]]}


def test_a_line_is_refused_for_a_released_order_or_an_unknown_item(as_user, buyer_a, released):
    order = released.order
    entries = _order_entries(order).count()
    client = as_user(buyer_a)
    body = {"item": "PVC-100", "quantity": "5", "expected_on": str(days(3))}
    refused = post(client, f"/orders/{order.pk}/lines", body)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_state"
    assert "only a draft order takes new lines" in refused.json()["error"]["message"]
    unknown = post(client, f"/orders/{order.pk}/lines", {**body, "item": "NOPE"})
    assert unknown.status_code == 404
    assert order.lines.count() == 1 and _order_entries(order).count() == entries


def test_adding_a_line_needs_the_role_at_the_orders_site(as_user, clerk_a, buyer_b, draft):
    order = draft()
    body = {"item": "PVC-100", "quantity": "5", "expected_on": str(days(3))}
    refused = post(as_user(clerk_a), f"/orders/{order.pk}/lines", body)
    assert refused.status_code == 403
    assert "purchasing.change_purchaseorder" in refused.json()["error"]["message"]
    assert post(as_user(buyer_b), f"/orders/{order.pk}/lines", body).status_code == 404
    assert order.lines.count() == 1
