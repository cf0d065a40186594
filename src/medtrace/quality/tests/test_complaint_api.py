"""/api/v1/quality/complaints: intake by scan with the trace's consignees and the deadlines
with their rules, the walk to closure through actions and report drafts, the patient masked
without the permission (its details only through the audited /patient), site scope,
refusals that change nothing, and a list whose query count does not grow."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import ComplaintStatus
from medtrace.quality.models import Complaint, ComplaintReport, Nonconformance
from medtrace.quality.services import complaints
from medtrace.quality.tests.complaint_fixtures import GTIN, INITIALS, INJURY, SERIAL

pytestmark = pytest.mark.django_db

API = "/api/v1/quality/complaints"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


def new_complaint(**overrides):
    return {
        "site": "A1",
        "channel": "portal",
        "description": "Tip broke off during removal.",
        "aware_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "code": f"https://id.gs1.org/01/{GTIN}/21/{SERIAL}",
        "outcomes": ["death"],
        "regions": ["nmpa", "fda", "eu"],
        "patient_involved": True,
        "patient_age": 67,
        "patient_sex": "male",
        "patient_initials": INITIALS,
        "injury_description": INJURY,
    } | overrides


def status_of(pk) -> str:
    return Complaint.objects.get(pk=pk).status


def test_intake_by_scan_returns_the_trace_and_the_cited_deadlines(
    client, qa_a, shipped_unit, kit_lot
):
    client.force_login(qa_a)
    response = post(client, "", new_complaint())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("CMP-") and body["status"] == "received"
    assert (body["unit_id"], body["lot_id"], body["serial"]) == (
        shipped_unit.pk, kit_lot.pk, SERIAL,
    )  # fmt: skip
    assert body["customer"] == "H-RUIJIN"
    assert [row["customer"] for row in body["shipped_to"]] == ["H-RUIJIN"]
    aware = timezone.localdate() - timedelta(days=1)
    individual = [row for row in body["deadlines"] if row["form"]]
    assert [(row["region"], row["rule_id"]) for row in individual] == [
        ("nmpa", "NMPA-25-DEATH"),
        ("eu", "EU-87(5)"),
        ("fda", "FDA-803.50(a)(1)"),
    ]
    assert individual[0]["due_date"] == (aware + timedelta(days=7)).isoformat()
    assert individual[0]["citation"].endswith("第二十五条")
    assert individual[2]["citation"] == "21 CFR 803.50(a)(1)"
    assert all(row["explanation"] and not row["overdue"] for row in individual)
    assert body["report_due_on"] == individual[0]["due_date"]
    assert body["patient_involved"] is True
    assert {a["name"] for a in body["allowed_actions"]} == {"start_investigation", "cancel"}
    assert INITIALS not in response.content.decode()  # details only through /patient
    deadlines = client.get(f"{API}/{body['id']}/deadlines").json()
    assert deadlines["problem"] == "" and deadlines["deadlines"] == body["deadlines"]


def test_an_unknown_code_is_refused_by_name_and_nothing_is_saved(client, qa_a, shipped_unit):
    client.force_login(qa_a)
    response = post(client, "", new_complaint(code="NOPE-404"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["details"]["fields"] == {"code": ["Nothing traced here is named NOPE-404."]}
    assert not Complaint.objects.exists()
    assert not AuditEntry.objects.filter(object_type="quality.complaint").exists()


def test_without_the_permission_the_patient_is_masked(client, receive, operator_a, qa_a):
    complaint = receive()
    client.force_login(operator_a)
    listed = client.get(API)
    detail = client.get(f"{API}/{complaint.pk}")
    for response in (listed, detail):
        text = response.content.decode()
        assert INITIALS not in text and INJURY not in text and "Zhang" not in text
        assert "6437" not in text
    assert listed.json()["items"][0]["patient_involved"] == "••••"
    assert detail.json()["patient_involved"] == "••••"
    assert (detail.json()["complainant_name"], detail.json()["complainant_contact"]) == (
        "••••",
        "••••",
    )
    refused = client.get(f"{API}/{complaint.pk}/patient")
    assert refused.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    client.force_login(qa_a)
    shown = client.get(f"{API}/{complaint.pk}/patient").json()
    assert shown == {
        "complainant_name": "张医生 Dr Zhang", "complainant_contact": "+86 21 6437 0045",
        "involved": True, "initials": INITIALS, "age": 67, "sex": "male", "injury": INJURY,
    }  # fmt: skip
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.changes == {"patient_data": "shown", "via": "api"} and entry.actor_id == qa_a.pk


def test_the_walk_to_closure_through_actions_and_reports(client, regulatory_a, shipped_unit):
    client.force_login(regulatory_a)
    pk = post(client, "", new_complaint()).json()["id"]
    assert post(client, f"/{pk}/actions/start_investigation", {}).json()["status"] == (
        "investigating"
    )
    response = patch(client, f"/{pk}", {"reason": "", "investigation": "Examined."})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    response = patch(
        client, f"/{pk}",
        {"reason": "Returned kit examined.", "investigation": "Tip separated at the bond.",
         "root_cause": "Short cure time."},
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["root_cause"] == "Short cure time."
    response = post(client, f"/{pk}/decision", {"reportable": True, "justification": "Death."})
    assert response.json()["reportable"] is True
    response = post(client, f"/{pk}/actions/approve_decision", {"password": "nope"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "signature_refused"
    assert status_of(pk) == ComplaintStatus.INVESTIGATING
    response = post(client, f"/{pk}/actions/approve_decision", {"password": PASSWORD})
    assert response.json()["status"] == "decided"
    response = post(client, f"/{pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 409 and "has not been drafted" in response.text
    for region in ("nmpa", "fda", "eu"):
        response = post(client, f"/{pk}/reports", {"region": region})
        assert response.status_code == 201, response.content
    reports = client.get(f"{API}/{pk}/reports").json()
    assert [r["form"] for r in reports] == ["nmpa_ae", "fda_3500a", "eu_mir"]
    assert reports[1]["rule_id"] == "FDA-803.50(a)(1)" and reports[1]["due_on"]
    pdf = client.get(reports[0]["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"{API}/{pk}/closure-letter").status_code == 404
    patch(client, f"/{pk}", {"reason": "Letter.", "closure_letter": "Cause found and fixed."})
    letter = client.get(f"{API}/{pk}/closure-letter")
    assert letter["Content-Type"] == "application/pdf"
    response = post(client, f"/{pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["allowed_actions"] == [] and response.json()["report_due_on"] is None
    assert Signature.objects.count() == 2


def test_a_non_reportable_region_and_a_stale_action_are_conflicts(client, receive, qa_a):
    complaint = receive(outcomes=["non_serious"], patient_involved=False, patient_age=None,
                        patient_sex="", patient_initials="", injury_description="")  # fmt: skip
    client.force_login(qa_a)
    response = post(client, f"/{complaint.pk}/reports", {"region": "fda"})
    assert response.status_code == 409
    assert "FDA-803.50-NOT-REPORTABLE" in response.json()["error"]["message"]
    response = post(client, f"/{complaint.pk}/actions/close", {"password": PASSWORD})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    response = post(client, f"/{complaint.pk}/actions/finish", {})
    assert response.status_code == 422 and "finish" in response.json()["error"]["message"]
    assert not ComplaintReport.objects.exists()
    assert status_of(complaint.pk) == ComplaintStatus.RECEIVED


def test_an_operator_reads_but_may_not_change(client, receive, operator_a):
    complaint = receive()
    client.force_login(operator_a)
    body = client.get(f"{API}/{complaint.pk}").json()
    assert body["number"] == complaint.number and body["allowed_actions"] == []
    assert post(client, "", new_complaint()).status_code == 404  # no site to add at
    assert patch(client, f"/{complaint.pk}", {"reason": "x", "description": "y"}).status_code == (
        403
    )
    assert post(client, f"/{complaint.pk}/actions/start_investigation", {}).status_code == 403
    assert post(client, f"/{complaint.pk}/reports", {"region": "fda"}).status_code == 403
    assert (
        post(
            client, f"/{complaint.pk}/nonconformance", {"title": "x", "severity": "minor"}
        ).status_code
        == 403
    )
    assert Complaint.objects.get(pk=complaint.pk).description == complaint.description
    assert not Nonconformance.objects.exists()


def test_an_ncr_is_opened_and_linked(client, receive, qa_a, kit_lot):
    complaint = receive()
    client.force_login(qa_a)
    response = post(
        client, f"/{complaint.pk}/nonconformance", {"title": "Tip", "severity": "critical"}
    )
    assert response.status_code == 201
    ncr = Nonconformance.objects.get()
    assert response.json()["nonconformance"] == ncr.number and ncr.lot == kit_lot


def test_another_sites_complaint_is_not_found_and_not_listed(client, receive, qa_b, stranger):
    complaint = receive()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/{complaint.pk}").status_code == 404
        assert client.get(f"{API}/{complaint.pk}/patient").status_code == 404
        assert client.get(API).json()["items"] == []
        assert post(client, f"/{complaint.pk}/actions/cancel", {"reason": "x"}).status_code == 404
        assert patch(
            client, f"/{complaint.pk}", {"reason": "x", "description": "y"}
        ).status_code == (404)
    assert status_of(complaint.pk) == ComplaintStatus.RECEIVED


def test_filters_and_the_deadline_order(client, receive, qa_a):
    late = receive(aware_on=timezone.localdate() - timedelta(days=40), regions=["fda"])
    soon = receive(outcomes=["death"], regions=["nmpa"])
    quiet = receive(code="", outcomes=["non_serious"], patient_involved=False, patient_age=None,
                    patient_sex="", patient_initials="", injury_description="")  # fmt: skip
    client.force_login(qa_a)

    def ids(query=""):
        return [row["id"] for row in client.get(API + query).json()["items"]]

    assert ids() == [late.pk, soon.pk, quiet.pk]
    assert ids("?overdue=true") == [late.pk]
    complaints.cancel(quiet, by=qa_a, reason="Duplicate.")
    assert ids("?open=true") == [late.pk, soon.pk]
    assert ids(f"?unit_id={late.unit_id}") == [late.pk, soon.pk]
    assert ids("?status=cancelled") == [quiet.pk]


def test_the_list_costs_the_same_queries_whatever_its_length(client, qa_a, receive):
    client.force_login(qa_a)
    receive()
    client.get(API)
    with CaptureQueriesContext(connection) as one:
        client.get(API)
    for number in range(4):
        receive(code="" if number % 2 else SERIAL)
    with CaptureQueriesContext(connection) as five:
        client.get(API)
    assert len(five) == len(one)


def test_patient_fields_are_never_in_the_audit_trail_after_api_writes(client, qa_a, shipped_unit):
    client.force_login(qa_a)
    pk = post(client, "", new_complaint()).json()["id"]
    patch(client, f"/{pk}", {"reason": "Hospital corrected it.", "patient_initials": "Q.W."})
    text = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert INITIALS not in text and "Q.W." not in text and INJURY not in text
