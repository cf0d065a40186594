"""/api/v1/equipment: calibrations (list, draft, certificate, verify), the usability question
now and at a past moment, the impact list and its one action, maintenance; scope, permissions
and the shared error body, each refusal with nothing written."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.equipment.models import CalibrationRecord, ImpactReview
from medtrace.equipment.services.usability import local_day
from medtrace.equipment.tests.conftest import LAB, calibrate

pytestmark = pytest.mark.django_db

API = "/api/v1/equipment"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def body(day, **changes):
    values = {
        "performed_on": day.isoformat(),
        "external_lab": LAB,
        "reference_standard": "标准漏孔 SL-10",
        "traceability": "NIM via CNAS L0123",
        "as_found": "0.52 Pa/s",
        "as_left": "0.50 Pa/s",
        "result": "pass",
        "readings": [
            {"point": "10 kPa", "nominal": "0.50", "tolerance": "0.05", "as_found": "0.52"}
        ],
    }
    return values | changes


def test_draft_attach_and_verify_a_calibration(client, tester, supervisor_a, qa_a):
    client.force_login(supervisor_a)
    day = local_day(tester) - timedelta(days=2)
    created = post(client, f"/{tester.pk}/calibrations", body(day))
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["next_due_on"] == (day + timedelta(180)).isoformat()
    assert data["readings"][0]["as_left"] == "" and data["has_certificate"] is False
    assert [a["name"] for a in data["allowed_actions"]] == ["verify", "cancel"]
    pk = data["id"]
    disguised = client.post(
        f"{API}/calibrations/{pk}/certificate",
        {"file": SimpleUploadedFile("c.pdf", b"MZ\x90\x00 a program", "application/pdf")},
    )
    assert (
        disguised.status_code == 422
        and client.get(f"{API}/calibrations/{pk}").json()["has_certificate"] is False
    )
    attached = client.post(
        f"{API}/calibrations/{pk}/certificate",
        {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert attached.status_code == 200 and attached.json()["has_certificate"] is True
    client.force_login(qa_a)
    refused = post(client, f"/calibrations/{pk}/actions/verify", {"password": "nope"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "signature_refused"
    verified = post(client, f"/calibrations/{pk}/actions/verify", {"password": PASSWORD})
    assert verified.status_code == 200 and verified.json()["verified_by"] == "qa-a"
    listed = client.get(f"{API}/{tester.pk}/calibrations").json()
    assert [row["number"] for row in listed] == [data["number"]]
    again = client.post(
        f"{API}/calibrations/{pk}/certificate",
        {"file": SimpleUploadedFile("d.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert again.status_code == 409  # signed: the file stays
    assert client.get(f"{API}/{tester.pk}").json()["last_calibrated_on"] == day.isoformat()


@pytest.mark.parametrize(
    ("change", "status", "where"),
    [
        ({"readings": [{"nominal": "0.5", "tolerance": "0.01", "as_found": "0.6"}]}, 422, "result"),
        ({"readings": [{"nominal": "x", "tolerance": "0.01", "as_found": "0.6"}]}, 422, None),
        ({"external_lab": ""}, 422, "external_lab"),
        ({"result": "maybe"}, 422, None),
        ({"performed_on": "2999-01-01"}, 422, "performed_on"),
    ],
)
def test_refused_drafts_write_nothing(client, tester, supervisor_a, change, status, where):
    client.force_login(supervisor_a)
    before = (CalibrationRecord.objects.count(), AuditEntry.objects.count())
    response = post(client, f"/{tester.pk}/calibrations", body(local_day(tester), **change))
    assert response.status_code == status, response.content
    if where:
        assert where in response.json()["error"]["details"]["fields"]
    assert (CalibrationRecord.objects.count(), AuditEntry.objects.count()) == before


def test_only_the_sites_recorders_write(client, tester, operator_a, qa_b):
    for user, status in ((operator_a, 403), (qa_b, 404)):
        client.force_login(user)
        response = post(client, f"/{tester.pk}/calibrations", body(local_day(tester)))
        assert response.status_code == status
    assert not CalibrationRecord.objects.exists()


def test_usable_now_and_then(client, tester, supervisor_a, qa_a, operator_a):
    client.force_login(operator_a)
    now = client.get(f"{API}/{tester.pk}/usable").json()
    assert now["usable"] is False and now["rules"] == ["never_calibrated"]
    calibrate(tester, local_day(tester) - timedelta(days=200), by=supervisor_a, verifier=qa_a)
    then = (local_day(tester) - timedelta(days=100)).isoformat()
    past = client.get(f"{API}/{tester.pk}/usable", {"at": f"{then}T10:00:00"}).json()
    assert past["usable"] is True and past["reasons"] == []
    now = client.get(f"{API}/{tester.pk}/usable").json()
    assert now["rules"] == ["calibration_overdue"] and "overdue" in now["reasons"][0]
    assert client.get(f"{API}/{tester.pk}/usable", {"at": "yesterday"}).status_code == 422


def test_the_impact_list_and_its_one_action(client, tester, supervisor_a, qa_a):
    calibrate(tester, local_day(tester) - timedelta(days=20), by=supervisor_a, verifier=qa_a)
    failed = calibrate(tester, local_day(tester), "fail", by=supervisor_a, verifier=qa_a)
    review = ImpactReview.objects.get(calibration=failed)
    client.force_login(supervisor_a)
    listed = client.get(f"{API}/calibrations/{failed.pk}/impact").json()
    assert listed["id"] == review.pk and listed["lots"] == [] and listed["deviation"] is None
    assert listed["read_point"] == "urn:medtrace:equipment:A1:LT-01"
    assert listed["allowed_actions"] == []  # concluding is QA's
    opened = post(client, f"/impact-reviews/{review.pk}/open", {"record": "ncr"})
    assert opened.status_code == 201 and opened.json()["number"].startswith("NCR-")
    twice = post(client, f"/impact-reviews/{review.pk}/open", {"record": "deviation"})
    assert twice.status_code == 409
    client.force_login(qa_a)
    assessed = post(client, f"/impact-reviews/{review.pk}/assessment", {"assessment": "无影响"})
    assert (
        assessed.status_code == 200 and assessed.json()["nonconformance"] == opened.json()["number"]
    )
    concluded = post(
        client, f"/impact-reviews/{review.pk}/actions/conclude", {"password": PASSWORD}
    )
    assert concluded.status_code == 200 and concluded.json()["status"] == "concluded"
    passed = calibrate(tester, local_day(tester), by=supervisor_a, verifier=qa_a)
    assert client.get(f"{API}/calibrations/{passed.pk}/impact").status_code == 404


def test_maintenance_plans_and_records(client, tester, supervisor_a):
    client.force_login(supervisor_a)
    plan = post(client, f"/{tester.pk}/maintenance-plans", {"task": "点检", "interval_days": 7})
    assert plan.status_code == 201 and plan.json()["overdue"] is False
    pk = plan.json()["id"]
    late = (local_day(tester) - timedelta(days=1)).isoformat()
    changed = client.patch(
        f"{API}/maintenance-plans/{pk}", {"next_due_on": late, "reason": "上次漏做"},
        content_type="application/json",
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["overdue"] is True
    done = post(
        client,
        f"/{tester.pk}/maintenance",
        {"kind": "preventive", "plan_id": pk, "performed_on": local_day(tester).isoformat(),
         "performed_by_id": supervisor_a.pk, "work_done": "点检正常", "result": "completed"},
    )  # fmt: skip
    assert done.status_code == 201 and done.json()["number"].startswith("MNT-")
    assert client.get(f"{API}/{tester.pk}/maintenance-plans").json()[0]["overdue"] is False
    back = post(
        client, f"/{tester.pk}/maintenance",
        {"kind": "corrective", "performed_on": local_day(tester).isoformat(),
         "external_party": "ATEQ", "work_done": "换密封", "result": "completed",
         "returns_to_service": True},
    )  # fmt: skip
    assert back.status_code == 409  # it is in service
    assert len(client.get(f"{API}/{tester.pk}/maintenance").json()) == 1
