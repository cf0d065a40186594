"""/api/v1/equipment: site scope, create, edit, status with a reason, the shared error body;
each write with its audit entry, each refusal with nothing changed."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.accounts.roles import Role
from medtrace.audit.models import AuditEntry
from medtrace.equipment import services
from medtrace.equipment.models import Equipment

pytestmark = pytest.mark.django_db

API = "/api/v1/equipment"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


def entries(equipment):
    return AuditEntry.objects.filter(
        object_type="equipment.equipment", object_id=str(equipment.pk)
    ).order_by("sequence")


def fields_of(response) -> dict:
    """The refused fields of a 422: a rule's `fields`, or the request's `errors` by name."""
    details = response.json()["error"]["details"]
    if "fields" in details:
        return details["fields"]
    return {error["loc"][-1]: error["msg"] for error in details["errors"]}


def unchanged(equipment) -> bool:
    stored = Equipment.objects.get(pk=equipment.pk)
    return (
        stored.name,
        stored.status,
        stored.location_id,
        stored.calibration_interval_days,
        stored.last_calibrated_on,
        stored.calibration_due_on,
    ) == (
        equipment.name,
        equipment.status,
        equipment.location_id,
        equipment.calibration_interval_days,
        equipment.last_calibrated_on,
        equipment.calibration_due_on,
    )


def test_list_detail_create_and_status(client, qa_a, balance, extruder_b, site_a):
    client.force_login(qa_a)
    body = client.get(API).json()
    assert body["count"] == 1 and body["items"][0]["code"] == "BAL-01"
    assert body["items"][0]["calibration_due_on"] == "2026-03-01"
    assert client.get(API, {"overdue": True}).json()["count"] == 1
    assert client.get(API, {"equipment_type": "extruder"}).json()["count"] == 0
    assert client.get(f"{API}/{extruder_b.pk}").status_code == 404
    assert client.get(f"{API}/{balance.pk}").json()["site"] == "A1"
    location = site_a.locations.first()
    created = post(
        client,
        "",
        {
            "site": "a1",
            "code": "eos-01",
            "name": "EO 灭菌柜",
            "equipment_type": "eo_sterilizer",
            "location_id": location.pk,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "EOS-01" and created.json()["status"] == "in_service"
    assert (
        post(
            client, "", {"site": "B1", "code": "X", "name": "x", "equipment_type": "other"}
        ).status_code
        == 404
    )
    refused = post(client, f"/{balance.pk}/status", {"status": "out_of_service", "reason": ""})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    changed = post(client, f"/{balance.pk}/status", {"status": "out_of_service", "reason": "维修"})
    assert changed.status_code == 200 and changed.json()["status"] == "out_of_service"


def test_operator_may_not_write(client, operator_a, balance):
    client.force_login(operator_a)
    refused = post(client, f"/{balance.pk}/status", {"status": "retired", "reason": "x"})
    assert refused.status_code == 403


def test_patch_records_a_calibration_and_moves_the_equipment(client, supervisor_a, balance, site_a):
    client.force_login(supervisor_a)
    response = patch(
        client,
        f"/{balance.pk}",
        {"last_calibrated_on": "2026-03-10", "serial_number": "SN-77", "reason": "Cal CR-12"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["calibration_due_on"] == "2027-03-10" and body["serial_number"] == "SN-77"
    assert body["name"] == "电子天平" and body["status"] == "in_service"
    entry = entries(balance).last()
    assert entry.action == "change" and entry.actor_id == supervisor_a.pk
    assert entry.site_id == site_a.pk and entry.reason == "Cal CR-12"
    assert entry.changes["last_calibrated_on"] == ["2025-03-01", "2026-03-10"]
    assert entry.changes["calibration_due_on"] == ["2026-03-01", "2027-03-10"]
    location = site_a.locations.order_by("pk").first()
    moved = patch(client, f"/{balance.pk}", {"location_id": location.pk})
    assert moved.status_code == 200 and moved.json()["location_id"] == location.pk
    cleared = patch(client, f"/{balance.pk}", {"location_id": None})
    assert cleared.status_code == 200 and cleared.json()["location_id"] is None
    no_calibration = patch(client, f"/{balance.pk}", {"calibration_required": False})
    assert no_calibration.json()["calibration_due_on"] is None


def test_patch_never_writes_status_site_or_code(client, supervisor_a, balance):
    """As in the catalog, fields a PATCH body does not name are ignored: the status changes
    only through POST .../status."""
    client.force_login(supervisor_a)
    before = AuditEntry.objects.count()
    response = patch(client, f"/{balance.pk}", {"status": "retired", "site": "B1", "code": "X"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["site"]) == ("in_service", "A1")
    assert unchanged(balance) and Equipment.objects.get(pk=balance.pk).code == "BAL-01"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"calibration_interval_days": 0}, "calibration_interval_days"),
        ({"calibration_interval_days": None}, "calibration_interval_days"),
        ({"last_calibrated_on": "2026-02-30"}, "last_calibrated_on"),
        ({"equipment_type": "toaster"}, "equipment_type"),
        ({"name": ""}, "name"),
    ],
)
def test_patch_refuses_a_bad_field_by_name_and_changes_nothing(
    client, supervisor_a, balance, body, field
):
    client.force_login(supervisor_a)
    before = AuditEntry.objects.count()
    response = patch(client, f"/{balance.pk}", {"last_calibrated_on": "2026-03-10", **body})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in fields_of(response)
    assert unchanged(balance)
    assert AuditEntry.objects.count() == before


def test_patch_refuses_a_location_of_another_site(client, make_user, site_a, site_b, balance):
    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    before = AuditEntry.objects.count()
    elsewhere = site_b.locations.order_by("pk").first()
    response = patch(client, f"/{balance.pk}", {"location_id": elsewhere.pk})
    assert response.status_code == 422 and "location" in fields_of(response)
    assert unchanged(balance) and AuditEntry.objects.count() == before


def test_patch_of_retired_equipment_is_refused(client, supervisor_a, balance):
    services.change_equipment_status(equipment=balance, status="retired", reason="scrapped")
    balance.refresh_from_db()
    client.force_login(supervisor_a)
    before = AuditEntry.objects.count()
    response = patch(client, f"/{balance.pk}", {"name": "新名"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    assert unchanged(balance) and AuditEntry.objects.count() == before


def test_patch_needs_the_permission_at_the_equipment_site(
    client, make_user, site_a, site_b, operator_a, balance, extruder_b
):
    mixed = make_user("mixed", (site_a, Role.PRODUCTION_SUPERVISOR), (site_b, Role.OPERATOR))
    before = AuditEntry.objects.count()
    client.force_login(operator_a)
    refused = patch(client, f"/{balance.pk}", {"name": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert "equipment.change_equipment" in refused.json()["error"]["message"]
    assert unchanged(balance) and AuditEntry.objects.count() == before
    # A supervisor at A who only operates at B sees B's extruder but may not change it.
    client.force_login(mixed)
    before = AuditEntry.objects.count()
    assert client.get(f"{API}/{extruder_b.pk}").status_code == 200
    assert patch(client, f"/{extruder_b.pk}", {"name": "x"}).status_code == 403
    assert unchanged(extruder_b) and AuditEntry.objects.count() == before
    assert patch(client, f"/{balance.pk}", {"name": "天平"}).status_code == 200


def test_patch_of_another_site_answers_404(client, qa_a, extruder_b, site_a):
    client.force_login(qa_a)
    before = AuditEntry.objects.count()
    assert patch(client, f"/{extruder_b.pk}", {"name": "x"}).status_code == 404
    assert patch(client, "/999999", {"name": "x"}).status_code == 404
    assert unchanged(extruder_b) and AuditEntry.objects.count() == before


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [API, "/equipment/"])
def test_list_query_count_does_not_grow_with_rows(client, qa_a, site_a, url):
    locations = list(site_a.locations.order_by("pk"))

    def add(first, last):
        for number in range(first, last):
            services.create_equipment(
                site=site_a,
                code=f"E-{number:02d}",
                name="设备",
                equipment_type="balance",
                location=locations[number % len(locations)],
                calibration_required=True,
                calibration_interval_days=30,
                last_calibrated_on=date(2026, 1, 1),
            )

    client.force_login(qa_a)
    add(0, 3)
    _count_queries(client, url)  # the session's first request does its own bookkeeping
    few = _count_queries(client, url)
    add(3, 30)
    assert _count_queries(client, url) == few
