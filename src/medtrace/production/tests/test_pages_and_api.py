"""Work-order pages and API: scoped to the user's sites, planned, released and cancelled
through the same services, refusals shown with their reasons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.audit.models import AuditEntry
from medtrace.production import services
from medtrace.production.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_status_and_item(client, operator_a, planned, supervisor_a, site_a):
    other = services.create_work_order(site=site_a, item=planned.item, quantity=5, by=supervisor_a)
    services.release(other, by=supervisor_a)
    client.force_login(operator_a)
    html = client.get("/production/").content.decode()
    assert planned.number in html and other.number in html
    assert "Plan a work order" not in html  # operators view only
    released = client.get("/production/", {"status": "released"}).content.decode()
    assert other.number in released and planned.number not in released
    by_item = client.get("/production/", {"item": "fg-iv-01"}, HTTP_HX_REQUEST="true")
    assert planned.number in by_item.content.decode()
    assert planned.number not in client.get("/production/", {"item": "NOPE"}).content.decode()


def test_the_list_page_query_count_does_not_grow(client, operator_a, planned, supervisor_a, site_a):
    client.force_login(operator_a)
    client.get("/production/")
    with CaptureQueriesContext(connection) as few:
        client.get("/production/")
    for _ in range(5):
        services.create_work_order(site=site_a, item=planned.item, quantity=1, by=supervisor_a)
    with CaptureQueriesContext(connection) as many:
        client.get("/production/")
    assert len(many) == len(few)


def test_a_supervisor_plans_releases_and_sees_the_kitting_list(
    client, supervisor_a, product, site_a
):
    client.force_login(supervisor_a)
    page = client.post(
        "/production/", {"site": site_a.pk, "item": product.pk, "quantity": "40", "note": "急单"}
    )
    assert page.status_code == 302
    order = WorkOrder.objects.get()
    assert order.quantity == 40 and order.note == "急单"
    detail = client.get(page.url).content.decode()
    assert 'data-action="release"' in detail
    assert client.post(f"/production/{order.pk}/release/").status_code == 302
    detail = client.get(f"/production/{order.pk}/").content.decode()
    assert 'data-status="released"' in detail
    assert 'data-required="CMP-TUBE">80 EA' in detail
    assert 'data-shortage="CMP-TUBE"' in detail  # nothing in stock
    assert "熔体温度" in detail and "Injection molding machine" in detail


def test_a_bad_quantity_on_the_form_is_shown_and_nothing_written(
    client, supervisor_a, product, site_a
):
    client.force_login(supervisor_a)
    page = client.post("/production/", {"site": site_a.pk, "item": product.pk, "quantity": "-1"})
    assert page.status_code == 200
    assert "A quantity must be more than zero." in page.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_refused_release_shows_its_reason(client, supervisor_a, organization, site_a):
    from medtrace.catalog import services as catalog

    item = catalog.create_item(
        organization=organization, code="SA-X", name="X", kind="sub_assembly"
    )
    order = services.create_work_order(site=site_a, item=item, quantity=1, by=supervisor_a)
    client.force_login(supervisor_a)
    page = client.post(f"/production/{order.pk}/release/")
    assert page.status_code == 422
    assert "no approved BOM" in page.content.decode()


def test_cancel_from_the_page_needs_a_reason(client, supervisor_a, planned):
    client.force_login(supervisor_a)
    page = client.post(f"/production/{planned.pk}/cancel/", {"reason": ""})
    assert page.status_code == 422
    assert (
        client.post(f"/production/{planned.pk}/cancel/", {"reason": "Obsolete"}).status_code == 302
    )
    planned.refresh_from_db()
    assert planned.status == "cancelled"


def test_an_operator_may_not_release_from_the_page(client, operator_a, planned):
    client.force_login(operator_a)
    assert 'data-action="release"' not in client.get(f"/production/{planned.pk}/").content.decode()
    assert client.post(f"/production/{planned.pk}/release/").status_code == 403


def test_another_site_sees_nothing(client, supervisor_b, planned):
    client.force_login(supervisor_b)
    assert planned.number not in client.get("/production/").content.decode()
    assert client.get(f"/production/{planned.pk}/").status_code == 404
    assert client.get("/api/v1/production/work-orders").json()["items"] == []
    assert client.get(f"/api/v1/production/work-orders/{planned.pk}").status_code == 404
    assert client.post(f"/api/v1/production/work-orders/{planned.pk}/release").status_code == 404


def test_the_api_plans_releases_kits_and_cancels(
    client, supervisor_a, product, bins, make_lot, put
):
    client.force_login(supervisor_a)
    from medtrace.catalog.models import Item

    put(make_lot(Item.objects.get(code="CMP-SPIKE"), "S-9"), bins["A-01"], 7)
    created = client.post(
        "/api/v1/production/work-orders",
        {"site": "a1", "item": "fg-iv-01", "quantity": "5"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "planned" and body["quantity"] == "5" and body["required"] == []
    pk = body["id"]
    released = client.post(f"/api/v1/production/work-orders/{pk}/release")
    assert released.status_code == 200
    body = released.json()
    assert [(r["component"], r["required"]) for r in body["required"]] == [
        ("CMP-TUBE", "10"),
        ("CMP-SPIKE", "5"),
    ]
    assert body["snapshot"]["bom"]["version"] == 1
    kitting = client.get(f"/api/v1/production/work-orders/{pk}/kitting").json()
    assert [(k["component"], k["covered"], k["shortage"]) for k in kitting] == [
        ("CMP-TUBE", "0", "10"),
        ("CMP-SPIKE", "5", "0"),
    ]
    assert kitting[1]["picks"][0]["lot"] == "S-9" and kitting[1]["picks"][0]["quantity"] == "5"
    listed = client.get("/api/v1/production/work-orders", {"status": "released"}).json()
    assert [row["id"] for row in listed["items"]] == [pk]
    refused = client.post(
        f"/api/v1/production/work-orders/{pk}/cancel",
        {"reason": ""},
        content_type="application/json",
    )
    assert refused.status_code == 422 or refused.status_code == 400
    cancelled = client.post(
        f"/api/v1/production/work-orders/{pk}/cancel", {"reason": "Plan changed"},
        content_type="application/json",
    )  # fmt: skip
    assert cancelled.json()["status"] == "cancelled"


def test_api_refusals_are_named_and_write_nothing(
    client, supervisor_a, operator_a, product, planned
):
    client.force_login(supervisor_a)
    before = WorkOrder.objects.count(), AuditEntry.objects.count()
    bad = client.post(
        "/api/v1/production/work-orders",
        {"site": "A1", "item": "FG-IV-01", "quantity": "0"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert (WorkOrder.objects.count(), AuditEntry.objects.count()) == before
    client.force_login(operator_a)
    denied = client.post(f"/api/v1/production/work-orders/{planned.pk}/release")
    assert denied.status_code == 403
    assert client.get(f"/api/v1/production/work-orders/{planned.pk}").json()["status"] == "planned"


def test_the_api_schema_documents_the_work_order_endpoints(client, admin_a):
    client.force_login(admin_a)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/production/work-orders/{pk}/kitting" in paths
    assert "/api/v1/production/work-orders/{pk}/release" in paths
