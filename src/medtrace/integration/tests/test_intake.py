from datetime import timedelta

import pytest
from django.utils import timezone

from medtrace.audit.models import AuditEntry
from medtrace.equipment.choices import MachineState
from medtrace.equipment.models import MachineStateChange
from medtrace.equipment.services import states
from medtrace.production.models import ParameterReading
from medtrace.production.services import operations
from medtrace.production.tests.fixtures import op_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/integration/machine-data"


@pytest.fixture
def molding(released, operator_a, molder):
    """Operation 10 of the released order, started on the molder an hour ago."""
    started = timezone.now() - timedelta(hours=1)
    return operations.start(op_of(released, 10), by=operator_a, equipment=molder, at=started)


def post(client, user, body):
    client.force_login(user)
    return client.post(URL, body, content_type="application/json")


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


def test_readings_find_their_operation_by_machine_and_time_row_by_row(
    client, operator_a, site_a, molding
):
    now = timezone.now()
    body = {
        "site": site_a.code,
        "readings": [
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "230.5", "unit": "°C",
             "read_at": iso(now - timedelta(minutes=30)), "client_id": "IM-01-0001"},
            # Late and out of order: read before the first row, sent after it.
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "229", "read_at":
             iso(now - timedelta(minutes=50)), "client_id": "IM-01-0000"},
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "500", "unit": "K",
             "read_at": iso(now - timedelta(minutes=20))},
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "230",
             "read_at": iso(now - timedelta(hours=3))},
            {"equipment": "IM-99", "parameter": "熔体温度", "value": "230"},
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "230", "read_at": "yesterday"},
            {"equipment": "IM-01", "parameter": "熔体温度", "value": "230",
             "read_at": "2026-03-02T09:15:00"},
        ],
    }  # fmt: skip
    answer = post(client, operator_a, body)
    assert answer.status_code == 200, answer.json()
    result = answer.json()["readings"]
    assert (result["recorded"], result["refused"]) == (2, 5)
    rows = result["results"]
    assert rows[0]["status"] == "recorded" and rows[0]["operation"] == 10
    assert rows[0]["work_order"] == molding.work_order.number and rows[0]["within_limits"]
    assert "not K" in rows[2]["error"]["message"]
    assert "No operation ran on IM-01" in rows[3]["error"]["message"]
    assert rows[4]["error"]["code"] == "not_found" and "IM-99" in rows[4]["error"]["message"]
    assert "not a date and time" in rows[5]["error"]["message"]
    assert "time zone" in rows[6]["error"]["message"]
    assert ParameterReading.objects.count() == 2
    # Sent again after a lost answer: nothing is recorded twice.
    again = post(client, operator_a, body).json()["readings"]["results"]
    assert again[0]["id"] == rows[0]["id"] and ParameterReading.objects.count() == 2


def test_machine_states_take_their_place_by_their_own_time(client, operator_a, site_a, molder):
    now = timezone.now()
    body = {
        "site": site_a.code,
        "states": [
            {"equipment": "IM-01", "state": "running", "at": iso(now - timedelta(hours=2)),
             "client_id": "s-1"},
            {"equipment": "IM-01", "state": "down", "at": iso(now - timedelta(hours=1)),
             "reason": "hydraulic leak", "client_id": "s-3"},
            # Arrives last but happened between the two: it does not become the state now.
            {"equipment": "IM-01", "state": "setup", "at": iso(now - timedelta(minutes=90)),
             "client_id": "s-2"},
            {"equipment": "IM-01", "state": "dancing"},
            {"equipment": "IM-01", "state": "idle", "at": iso(now + timedelta(hours=1))},
        ],
    }  # fmt: skip
    result = post(client, operator_a, body).json()["states"]
    assert (result["recorded"], result["refused"]) == (3, 2)
    assert "not a machine state" in result["results"][3]["error"]["message"]
    assert "future" in result["results"][4]["error"]["message"]
    assert states.current_state(molder).state == MachineState.DOWN
    spans = states.timeline(molder, since=now - timedelta(hours=3), until=now)
    assert [span.state for span in spans] == ["running", "setup", "down"]
    shares = dict((state, share) for state, _label, share in states.shares(spans, until=now))
    assert shares == pytest.approx({"running": 0.25, "setup": 0.25, "down": 0.5}, abs=0.01)
    assert post(client, operator_a, body).json()["states"]["recorded"] == 3
    assert MachineStateChange.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="equipment.machinestatechange").count() == 3


def test_only_the_floor_records_and_only_at_its_sites(
    client, qa_b, site_a, site_b, make_user, molder
):
    viewer = make_user("viewer", (site_a, "auditor"))
    refused = post(client, viewer, {"site": site_a.code, "states": [
        {"equipment": "IM-01", "state": "idle"}]}).json()["states"]  # fmt: skip
    assert refused["results"][0]["error"]["code"] == "permission_denied"
    assert post(client, qa_b, {"site": site_a.code, "states": []}).status_code == 404
    too_many = {"site": site_a.code, "states": [{"equipment": "IM-01", "state": "idle"}] * 1001}
    assert post(client, viewer, too_many).status_code == 422
    assert not MachineStateChange.objects.exists()


def test_the_equipment_page_shows_and_records_states(client, operator_a, molder):
    states.record_state(molder, state="running", by=operator_a)
    client.force_login(operator_a)
    page = client.get(f"/equipment/{molder.pk}/").content.decode()
    assert "Machine state" in page and "Running" in page and "Record state" in page
    client.post(
        f"/equipment/{molder.pk}/states/",
        {"machine-state": "down", "machine-reason": "jammed mould"},
    )
    assert states.current_state(molder).reason == "jammed mould"
    timeline = client.get(f"/api/v1/equipment/{molder.pk}/states").json()
    assert timeline["current"]["state"] == "down"
    assert [span["state"] for span in timeline["spans"]] == ["running", "down"]
    made = client.post(
        f"/api/v1/equipment/{molder.pk}/states",
        {"state": "maintenance", "reason": "seal swap"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["source"] == "manual"
    later = iso(timezone.now() + timedelta(hours=1))
    assert client.get(f"/api/v1/equipment/{molder.pk}/states", {"since": later}).status_code == 422
    too_long = iso(timezone.now() - timedelta(days=93))
    too_long_answer = client.get(f"/api/v1/equipment/{molder.pk}/states", {"since": too_long})
    assert too_long_answer.status_code == 422
