"""A complaint's device problem code (IMDRF Adverse Event Terminology, Annex A, level 1):
given at intake through the service, the page and the API; corrected with an audit entry of
its old and new value, even after the decision is signed (it is not a signed fact); an
unknown code refused naming the annex, with nothing written; the list filtered by it on the
page and over the API.

The codes and terms compared are those of IMDRF/AE WG/N43 Annex A "Medical Device Problem",
Release 2022: A04 Material Integrity Problem, A14 Infusion or Flow Problem, A26 Insufficient
Information, A27 Appropriate Term/Code Not Available."""

import pytest

from conftest import PASSWORD
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.models import Complaint, RecordCounter
from medtrace.quality.services import complaint_disclosures as disclosures
from medtrace.quality.services import complaints
from medtrace.quality.tests.test_complaint_api import API, new_complaint, patch, post
from medtrace.quality.tests.test_complaint_views import LIST, NEW, _edit_form, intake, page, url
from medtrace.quality.tests.test_complaints import investigated

pytestmark = pytest.mark.django_db

UNKNOWN = "A99"
RULE = "A99 is not a device problem code of IMDRF Annex A (level 1: A01 to A27)."


def entries(complaint, action=AuditAction.CHANGE):
    return AuditEntry.objects.filter(
        object_type="quality.complaint", object_id=str(complaint.pk), action=action
    ).order_by("sequence")


def test_the_level_one_codes_run_from_a01_to_a27_with_the_annex_terms():
    assert DeviceProblem.values == [f"A{number:02d}" for number in range(1, 28)]
    assert str(DeviceProblem("A04").label) == "Material Integrity Problem"
    assert str(DeviceProblem("A14").label) == "Infusion or Flow Problem"
    assert str(DeviceProblem("A26").label) == "Insufficient Information"
    assert str(DeviceProblem("A27").label) == "Appropriate Term/Code Not Available"


def test_a_code_given_at_intake_is_kept_and_in_the_creation_entry(receive):
    complaint = receive(problem_code="A04")
    assert Complaint.objects.get(pk=complaint.pk).problem_code == "A04"
    [created] = entries(complaint, AuditAction.CREATE)
    assert created.changes["problem_code"] == [None, "A04"]
    uncoded = receive()
    assert uncoded.problem_code == ""
    assert "problem_code" not in entries(uncoded, AuditAction.CREATE).get().changes


def test_a_code_given_on_the_intake_page_shows_on_the_record(client, qa_a, site_a, shipped_unit):
    client.force_login(qa_a)
    form = page(client, NEW)
    assert '<option value="A14">A14 Infusion or Flow Problem</option>' in form
    response = client.post(NEW, intake(site_a, problem_code="A14"))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.problem_code == "A14"
    detail = page(client, url(complaint))
    assert '<dd id="problem-code" data-problem="A14">A14 Infusion or Flow Problem</dd>' in detail


def test_a_code_given_over_the_api_comes_back_with_its_term(client, qa_a, shipped_unit):
    client.force_login(qa_a)
    response = post(client, "", new_complaint(problem_code="A04"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["problem_code"], body["problem_term"]) == ("A04", "Material Integrity Problem")
    uncoded = post(client, "", new_complaint()).json()
    assert (uncoded["problem_code"], uncoded["problem_term"]) == ("", "")
    listed = {row["id"]: row["problem_code"] for row in client.get(API).json()["items"]}
    assert listed == {body["id"]: "A04", uncoded["id"]: ""}
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["ComplaintIn"]["properties"]["problem_code"]["enum"] == [
        "",
        *DeviceProblem.values,
    ]


def test_a_correction_changes_the_code_and_audits_the_old_and_new_value(client, receive, qa_a):
    complaint = receive(problem_code="A04")
    client.force_login(qa_a)
    edit = url(complaint, "edit/")
    response = client.post(
        edit,
        {
            **_edit_form(client, edit),
            "problem_code": "A14",
            "reason": "The set leaked at the spike.",
        },
    )
    assert response.status_code == 302
    [entry] = entries(complaint)
    assert entry.changes == {"problem_code": ["A04", "A14"]}
    assert entry.reason == "The set leaked at the spike." and entry.actor_id == qa_a.pk
    response = patch(
        client, f"/{complaint.pk}", {"reason": "Cause unclear.", "problem_code": "A26"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["problem_term"] == "Insufficient Information"
    assert entries(complaint).last().changes == {"problem_code": ["A14", "A26"]}
    response = patch(client, f"/{complaint.pk}", {"reason": "Not coded yet.", "problem_code": None})
    assert response.json()["problem_code"] == ""
    assert entries(complaint).last().changes == {"problem_code": ["A26", ""]}


def test_the_code_stays_correctable_after_the_decision_is_signed(client, receive, regulatory_a):
    complaint = receive(problem_code="A26")
    complaints.start_investigation(complaint, by=regulatory_a)
    complaints.update_complaint(
        complaint, by=regulatory_a, reason="Examined.", investigation="Separated at the bond."
    )
    complaints.record_decision(
        complaint, reportable=True, justification="Serious injury.", by=regulatory_a
    )
    complaints.approve_decision(complaint, by=regulatory_a, password=PASSWORD)
    signed = Complaint.objects.get(pk=complaint.pk).signed_content()
    client.force_login(regulatory_a)
    edit = url(complaint, "edit/")
    fields = client.get(edit).context["form"].fields
    assert "problem_code" in fields and "description" not in fields
    response = client.post(
        edit, {**_edit_form(client, edit), "problem_code": "A04", "reason": "Coded on exam."}
    )
    assert response.status_code == 302
    after = Complaint.objects.get(pk=complaint.pk)
    assert after.problem_code == "A04" and after.signed_content() == signed


def test_an_unknown_code_is_refused_at_intake_by_the_service_naming_the_annex(receive):
    with pytest.raises(DomainError) as refused:
        receive(problem_code=UNKNOWN)
    assert refused.value.code == ErrorCode.VALIDATION
    assert refused.value.details == {"fields": {"problem_code": [RULE]}}
    assert not Complaint.objects.exists()
    assert not RecordCounter.objects.filter(prefix="CMP", last__gt=0).exists()


def test_an_unknown_code_is_refused_on_the_pages_naming_the_annex(client, qa_a, site_a, receive):
    client.force_login(qa_a)
    response = client.post(NEW, intake(site_a, problem_code=UNKNOWN))
    assert response.status_code == 200
    assert response.context["form"].errors["problem_code"] == [RULE]
    assert not Complaint.objects.exists()
    complaint = receive(problem_code="A04")
    edit = url(complaint, "edit/")
    response = client.post(
        edit, {**_edit_form(client, edit), "problem_code": UNKNOWN, "reason": "Recoded."}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["problem_code"] == [RULE]
    assert Complaint.objects.get(pk=complaint.pk).problem_code == "A04"
    assert not entries(complaint).exists()


def test_an_unknown_code_is_refused_over_the_api_naming_the_annex(client, qa_a, receive):
    client.force_login(qa_a)
    response = post(client, "", new_complaint(problem_code=UNKNOWN))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["message"] == RULE
    assert error["details"]["fields"] == {"problem_code": [RULE]}
    assert not Complaint.objects.exists()
    assert not AuditEntry.objects.filter(object_type="quality.complaint").exists()
    complaint = receive(problem_code="A04")
    response = patch(client, f"/{complaint.pk}", {"reason": "Recoded.", "problem_code": UNKNOWN})
    assert response.status_code == 422 and response.json()["error"]["message"] == RULE
    assert Complaint.objects.get(pk=complaint.pk).problem_code == "A04"
    assert not entries(complaint).exists()


def test_the_list_filters_by_code_on_the_page_and_over_the_api(client, receive, qa_a):
    leak = receive(problem_code="A14")
    crack = receive(problem_code="A04")
    uncoded = receive()
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert '<option value="A14">A14 Infusion or Flow Problem</option>' in listing
    assert 'data-problem="A04">A04 Material Integrity Problem</span>' in listing

    def shown(**params):
        text = page(client, LIST, **params)
        return {c.number for c in (leak, crack, uncoded) if c.number in text}

    assert shown(problem_code="A14") == {leak.number}
    assert shown(problem_code="A04") == {crack.number}
    assert shown() == {leak.number, crack.number, uncoded.number}

    def ids(**params):
        return {row["id"] for row in client.get(API, params).json()["items"]}

    assert ids(problem_code="A14") == {leak.pk}
    assert ids(problem_code="A04") == {crack.pk}
    assert ids(problem_code="A26") == set()
    assert client.get(API, {"problem_code": UNKNOWN}).status_code == 422


def test_the_eu_incident_report_draft_prints_the_code_and_its_term(receive, qa_a):
    complaint = investigated(receive(problem_code="A04"), qa_a)
    complaint = complaints.record_decision(
        complaint, reportable=True, justification="Serious injury.", by=qa_a
    )
    report = disclosures.generate_report(complaint, region="eu", by=qa_a)
    assert report.fields["device_problem"] == "A04 Material Integrity Problem"
