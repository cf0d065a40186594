"""/api/v1/equipment: site scope, create, status with a reason, the shared error body."""

import pytest

pytestmark = pytest.mark.django_db

API = "/api/v1/equipment"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


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
