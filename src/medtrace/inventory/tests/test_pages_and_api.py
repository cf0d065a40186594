"""Stock, expiry and count pages and their API: scoped to the user's sites, statuses shown,
counts started, recorded and posted through the same services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.inventory.models import CycleCount, Stock
from medtrace.trace.services import objects as trace_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(bins, resin, make_lot, put):
    soon = timezone.localdate() + timedelta(days=20)
    good = make_lot(resin, "LOT-G1", expires_on=soon)
    held = make_lot(resin, "LOT-H1")
    put(good, bins["A-01"], "12.5")
    put(held, bins["A-02"], 3, disposition="non_conformant")
    return good, held


def test_the_stock_page_lists_lots_with_their_status_and_filters(client, clerk_a, stocked):
    client.force_login(clerk_a)
    page = client.get("/inventory/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "LOT-G1" in html and "LOT-H1" in html and 'data-status="on_hold"' in html
    held_only = client.get("/inventory/", {"status": "on_hold"}, HTTP_HX_REQUEST="true")
    assert "LOT-H1" in held_only.content.decode() and "LOT-G1" not in held_only.content.decode()
    totals = client.get("/inventory/", {"view": "totals", "location": "A-01"}).content.decode()
    assert "12.5 KG" in totals and "LOT-H1" not in totals


def test_the_stock_page_reads_units_serials_with_their_rows(
    client, clerk_a, bins, catheter, make_lot, put, site_a, admin_a, django_assert_num_queries
):
    lot = make_lot(catheter, "CV-L1")

    def stock_units(first: int, count: int) -> None:
        for n in range(first, first + count):
            unit = trace_objects.create_unit(
                item=catheter, serial=f"SN{n:03}", lot=lot, site=site_a, by=admin_a
            )
            put(unit, bins["A-01"])

    client.force_login(clerk_a)
    stock_units(1, 2)
    client.get("/inventory/")  # the session's first request does more (sign-in bookkeeping)
    with CaptureQueriesContext(connection) as few:
        assert "SN002" in client.get("/inventory/").content.decode()
    stock_units(3, 8)
    with django_assert_num_queries(len(few)):
        assert "SN010" in client.get("/inventory/").content.decode()


def test_another_sites_clerk_sees_none_of_it(client, make_user, site_b, stocked):
    from medtrace.accounts.roles import Role

    client.force_login(make_user("clerk-b", (site_b, Role.WAREHOUSE_CLERK)))
    assert "LOT-G1" not in client.get("/inventory/").content.decode()
    assert client.get("/api/v1/inventory/stock").json()["items"] == []


def test_the_expiry_page_and_api_forecast_by_window(client, clerk_a, stocked):
    client.force_login(clerk_a)
    html = client.get("/inventory/expiry/").content.decode()
    assert 'data-bucket="30"' in html and "LOT-G1" in html
    rows = client.get("/api/v1/inventory/expiry-forecast").json()
    assert [(row["lot"], row["bucket"], row["quantity"]) for row in rows] == [
        ("LOT-G1", 30, "12.5")
    ]


def test_stock_and_fefo_over_the_api(client, clerk_a, stocked, site_a):
    client.force_login(clerk_a)
    rows = client.get("/api/v1/inventory/stock", {"site": "a1", "status": "on_hold"}).json()
    assert [(row["lot"], row["location"], row["status"]) for row in rows["items"]] == [
        ("LOT-H1", "A-02", "on_hold")
    ]
    fefo = client.get("/api/v1/inventory/fefo", {"site": "A1", "item": "pvc-100"}).json()
    assert [row["lot"] for row in fefo] == ["LOT-G1"]


def test_a_count_through_the_pages(client, clerk_a, stocked, bins):
    client.force_login(clerk_a)
    started = client.post("/inventory/counts/", {"location": bins["A-01"].pk, "note": "monthly"})
    count = CycleCount.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/inventory/counts/{count.pk}/"
    recorded = client.post(
        f"/inventory/counts/{count.pk}/count/",
        {"code": "LOT-G1", "location": bins["A-01"].pk, "counted": "12", "reason": "damaged"},
    )
    assert recorded.status_code == 302
    posted = client.post(f"/inventory/counts/{count.pk}/post/", {})
    assert posted.status_code == 302
    assert Stock.objects.get(lot__lot_number="LOT-G1").quantity == Decimal(12)
    detail = client.get(f"/inventory/counts/{count.pk}/").content.decode()
    assert 'data-count-status="posted"' in detail


def test_a_count_over_the_api_needs_the_signature_for_found_stock(
    client, clerk_a, qa_a, stocked, bins, resin, make_lot
):
    make_lot(resin, "F1")
    client.force_login(clerk_a)
    api = "/api/v1/inventory/counts"
    created = client.post(api, {"site": "A1", "location": "A-02"}, content_type="application/json")
    assert created.status_code == 201, created.content
    number = created.json()["id"]
    found = client.post(
        f"{api}/{number}/lines",
        {"code": "F1", "location": "A-02", "counted": "2", "reason": "found"},
        content_type="application/json",
    )
    assert found.json()["needs_approval"] is True
    client.post(
        f"{api}/{number}/lines",
        {"code": "LOT-H1", "location": "A-02", "counted": "3"},
        content_type="application/json",
    )
    refused = client.post(f"{api}/{number}/post", {}, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(qa_a)
    posted = client.post(
        f"{api}/{number}/post", {"password": PASSWORD}, content_type="application/json"
    )
    assert posted.status_code == 200, posted.content
    assert posted.json()["status"] == "posted"
    assert Stock.objects.get(lot__lot_number="F1").quantity == Decimal(2)


def test_pages_are_refused_without_a_role(client, make_user):
    client.force_login(make_user("nobody"))
    assert client.get("/inventory/").status_code == 403
    assert client.get("/inventory/counts/").status_code == 403


def test_a_lots_page_shows_where_it_is_held_and_who_set_its_status(client, clerk_a, stocked):
    _good, held = stocked
    client.force_login(clerk_a)
    html = client.get(f"/trace/objects/{held.pk}/").content.decode()
    assert "data-stock-panel" in html and "A-02" in html
    assert "On hold (set by Admin-A on" in html


def test_a_count_is_cancelled_with_a_reason_through_the_page_and_the_api(
    client, clerk_a, stocked, bins
):
    from medtrace.audit.models import AuditEntry

    client.force_login(clerk_a)
    api = "/api/v1/inventory/counts"
    first = client.post(api, {"site": "A1", "location": "A-01"}, content_type="application/json")
    number = first.json()["id"]
    refused = client.post(
        f"{api}/{number}/cancel", {"reason": " "}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    cancelled = client.post(
        f"{api}/{number}/cancel", {"reason": "wrong bin"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert [row["status"] for row in client.get(api).json()["items"]] == ["cancelled"]
    count = CycleCount.objects.get(pk=number)
    assert AuditEntry.objects.filter(object_id=str(count.pk), reason="wrong bin").exists()

    second = client.post(api, {"site": "A1", "location": "A-02"}, content_type="application/json")
    page = f"/inventory/counts/{second.json()['id']}/cancel/"
    assert client.post(page, {"reason": ""}).status_code == 200  # the form again, refused
    assert client.post(page, {"reason": "recount next week"}).status_code == 302
    assert CycleCount.objects.get(pk=second.json()["id"]).status == "cancelled"
