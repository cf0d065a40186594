"""Complaint pages: intake by scan with the device's trace, the deadlines with their rules and
citations, the walk to closure by POSTs with signatures, report drafts and the closure letter
as PDFs, the patient's data masked without the permission and its showing audited, site
scope, refusals that save nothing, and a list whose query count does not grow."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from conftest import PASSWORD
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import ComplaintStatus
from medtrace.quality.models import Complaint, ComplaintReport, Nonconformance, RecordCounter
from medtrace.quality.services import complaint_disclosures as disclosures
from medtrace.quality.services import complaints
from medtrace.quality.tests.complaint_fixtures import GTIN, INITIALS, INJURY, SERIAL

pytestmark = pytest.mark.django_db

LIST = "/quality/complaints/"
NEW = "/quality/complaints/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def url(complaint, suffix="") -> str:
    return f"/quality/complaints/{complaint.pk}/{suffix}"


def act(client, complaint, action, **data):
    return client.post(url(complaint, f"{action}/"), data)


def status_of(complaint) -> str:
    return Complaint.objects.get(pk=complaint.pk).status


def intake(site, code=SERIAL, **overrides):
    fields = {
        "site": site.pk,
        "code": code,
        "channel": "email",
        "description": "导管尖端断裂 Tip broke off on removal.",
        "aware_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "complainant_name": "张医生",
        "outcomes": ["serious_injury"],
        "regions": ["nmpa", "fda", "eu"],
        "patient_involved": "on",
        "patient_age": "67",
        "patient_sex": "male",
        "patient_initials": INITIALS,
        "injury_description": INJURY,
    }
    return {key: value for key, value in (fields | overrides).items() if value is not None}


def test_intake_by_scan_shows_where_the_device_went_and_its_deadlines(
    client, qa_a, site_a, shipped_unit, hospital
):
    client.force_login(qa_a)
    form = page(client, NEW)
    assert 'id="id_code"' in form and 'data-scan="device"' in form
    response = client.post(NEW, intake(site_a, code=f"]d201{GTIN}21{SERIAL}"))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == url(complaint)
    assert complaint.unit == shipped_unit and complaint.customer == hospital
    detail = page(client, url(complaint))
    assert f"Complaint {complaint.number} received." in detail
    assert 'data-customer="H-RUIJIN"' in detail and "Ruijin Hospital" in detail
    assert f'href="/trace/objects/{shipped_unit.pk}/"' in detail
    # serious injury, aware yesterday: EU 15 days, NMPA 20 days, FDA 30 days, each cited
    aware = timezone.localdate() - timedelta(days=1)
    for region, rule, citation, days in (
        ("eu", "EU-87(3)", "MDR Art. 87(3)", 15),
        ("nmpa", "NMPA-25-SERIOUS", "第二十五条", 20),
        ("fda", "FDA-803.50(a)(1)", "21 CFR 803.50(a)(1)", 30),
    ):
        assert f'data-region="{region}" data-rule="{rule}"' in detail
        assert citation in detail
        due = aware + timedelta(days=days)
        assert f'data-due="{due:%Y-%m-%d}"' in detail or region == "eu"  # EU may roll forward
    assert "data-overdue" not in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "NOPE-404"}, "code", "Nothing traced here is named NOPE-404."),
        ({"description": ""}, "description", "This field is required."),
        ({"patient_involved": None}, "patient_involved", "no patient is involved"),
    ],
)
def test_a_refused_intake_saves_nothing(client, qa_a, site_a, shipped_unit, overrides, field,
                                        message):  # fmt: skip
    client.force_login(qa_a)
    response = client.post(NEW, intake(site_a, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Complaint.objects.exists()
    assert not RecordCounter.objects.filter(prefix="CMP", last__gt=0).exists()


def test_the_list_filters_ages_sorts_by_deadline_and_flags_overdue(
    client, receive, qa_a, qa_b, site_b
):
    late = receive(aware_on=timezone.localdate() - timedelta(days=40), regions=["fda"])
    soon = receive(code="", outcomes=["death"], regions=["nmpa"])
    quiet = receive(outcomes=["non_serious"], patient_involved=False, patient_age=None,
                    patient_sex="", patient_initials="", injury_description="")  # fmt: skip
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert listing.index(late.number) < listing.index(soon.number) < listing.index(quiet.number)
    assert listing.count("data-overdue") == 1 and 'class="overdue"' in listing
    assert '<td class="age">40</td>' in listing
    assert "Complaints" in listing

    def numbers(**params):
        shown = page(client, LIST, **params)
        return {c.number for c in (late, soon, quiet) if c.number in shown}

    assert numbers(overdue="on") == {late.number}
    assert numbers(q=SERIAL) == {late.number, quiet.number}
    complaints.start_investigation(quiet, by=qa_a)
    complaints.record_decision(quiet, reportable=False, justification="No harm.", by=qa_a)
    assert numbers(reportable="no") == {quiet.number}
    assert numbers(reportable="undecided") == {late.number, soon.number}
    assert numbers(status="investigating") == {quiet.number}
    fragment = client.get(LIST, {"sort": "newest"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and body.index(quiet.number) < body.index(late.number)
    client.force_login(qa_b)
    assert late.number not in page(client, LIST)


def test_the_list_costs_the_same_queries_however_many_rows(client, qa_a, receive):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    receive()
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for number in range(6):
        complaint = receive(code="" if number % 2 else SERIAL)
        if number % 3 == 0:
            complaints.start_investigation(complaint, by=qa_a)
    assert queries() == few


def test_without_the_permission_the_patient_is_masked_everywhere(client, receive, operator_a, qa_a):
    complaint = receive()
    client.force_login(operator_a)
    for shown in (page(client, url(complaint)), page(client, LIST)):
        assert "data-masked" in shown and "••••" in shown
        assert INITIALS not in shown and INJURY not in shown and "data-patient=" not in shown
        assert "Zhang" not in shown and "6437" not in shown
    assert 'id="patient-show"' not in page(client, url(complaint))
    assert client.get(url(complaint, "patient/")).status_code == 403
    assert client.get(url(complaint, "edit/")).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_showing_the_patients_details_is_on_request_and_audited(client, receive, qa_a):
    complaint = receive()
    client.force_login(qa_a)
    detail = page(client, url(complaint))
    assert 'id="patient-show"' in detail and INITIALS not in detail and INJURY not in detail
    listed = page(client, LIST)
    assert 'data-patient="yes"' in listed  # the flag, not the details
    assert "Zhang" not in detail and "Zhang" not in listed  # who complained: shown on request
    fragment = client.get(url(complaint, "patient/"), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert INITIALS in body and INJURY in body and "<html" not in body
    assert "张医生 Dr Zhang" in body and "+86 21 6437 0045" in body
    shown = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert shown.changes == {"patient_data": "shown", "via": "page"}
    assert shown.actor_id == qa_a.pk
    full = page(client, url(complaint, "patient/"))  # without htmx: the page, section open
    assert 'data-patient-section="shown"' in full and complaint.number in full


def test_the_walk_to_closure_by_posts(client, receive, qa_a, regulatory_a):
    complaint = receive()
    client.force_login(regulatory_a)
    assert act(client, complaint, "start_investigation").status_code == 302
    edit = url(complaint, "edit/")
    response = client.post(edit, {**_edit_form(client, edit), "investigation": "Examined."})
    assert response.status_code == 200
    assert "it is a quality record" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).investigation == ""
    response = client.post(
        edit,
        {**_edit_form(client, edit), "investigation": "Tip separated at the bond.",
         "reason": "Returned kit examined."},
    )  # fmt: skip
    assert response.status_code == 302
    detail = page(client, url(complaint))
    assert 'id="decision-form"' in detail and 'data-action="approve_decision"' in detail
    response = client.post(
        url(complaint, "decision/"), {"reportable": "yes", "justification": "Serious injury."}
    )
    assert response.status_code == 302
    response = act(client, complaint, "approve_decision", meaning="approved", password="wrong")
    assert response.status_code == 200
    assert "The password is wrong" in response.content.decode()
    assert status_of(complaint) == ComplaintStatus.INVESTIGATING
    response = act(client, complaint, "approve_decision", meaning="approved", password=PASSWORD)
    assert response.status_code == 302 and status_of(complaint) == ComplaintStatus.DECIDED
    detail = page(client, url(complaint))
    assert 'data-generate="nmpa"' in detail and 'data-generate="eu"' in detail
    response = act(client, complaint, "close", meaning="verified", password=PASSWORD)
    assert response.status_code == 200 and "has not been drafted" in response.content.decode()
    for region in ("nmpa", "fda", "eu"):
        response = client.post(url(complaint, "reports/"), {"region": region})
        assert response.status_code == 302 and response["Location"].endswith("#reports")
    report = ComplaintReport.objects.get(form="fda_3500a")
    response = client.get(url(complaint, f"reports/{report.pk}/pdf/"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "3500A" in text and INITIALS in text  # regulatory affairs may see the patient
    assert client.get(url(complaint, "closure-letter/")).status_code == 404
    response = client.post(
        edit,
        {**_edit_form(client, edit), "closure_letter": "Thank you. The cause was corrected.",
         "reason": "Letter written."},
    )  # fmt: skip
    assert response.status_code == 302
    letter = client.get(url(complaint, "closure-letter/"))
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")
    response = act(client, complaint, "close", meaning="verified", password=PASSWORD)
    assert response.status_code == 302 and status_of(complaint) == ComplaintStatus.CLOSED
    detail = page(client, url(complaint))
    assert detail.count('class="signature"') == 2 and "data-action=" not in detail
    assert detail.count('<span class="badge ok">Valid') == 2  # the letter is not signed content
    assert Signature.objects.count() == 2
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT).values_list("changes", flat=True)
    documents = [changes.get("document") for changes in exports if "document" in changes]
    assert documents == ["fda_3500a#1", "closure_letter"]


def _edit_form(client, edit_url) -> dict:
    """The edit form's current values, as the browser would post them back."""
    form = client.get(edit_url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = list(value)
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = str(value)
    return data


def test_a_masked_report_pdf_for_a_reader_without_the_permission(client, receive, qa_a, operator_a):
    complaint = receive()
    complaints.start_investigation(complaint, by=qa_a)
    report = disclosures.generate_report(complaint, region="fda", by=qa_a)
    client.force_login(operator_a)
    response = client.get(url(complaint, f"reports/{report.pk}/pdf/"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "A1. Patient identifier" in text and "A2. Age" in text
    assert INITIALS not in text and "A2. Age 67" not in text
    export = AuditEntry.objects.filter(action=AuditAction.EXPORT).last()
    assert export.changes["patient_data"] is False


def test_the_detail_offers_only_the_actions_allowed_now(client, receive, qa_a, operator_a):
    complaint = receive()
    client.force_login(qa_a)
    detail = page(client, url(complaint))
    assert 'data-action="start_investigation"' in detail and 'data-action="cancel"' in detail
    assert 'data-action="approve_decision"' not in detail and 'id="decision-form"' not in detail
    client.force_login(operator_a)
    detail = page(client, url(complaint))
    assert complaint.number in detail and 'data-action="start_investigation"' not in detail
    assert 'id="complaint-edit"' not in detail and "data-generate" not in detail
    assert act(client, complaint, "start_investigation").status_code == 403
    assert client.post(url(complaint, "reports/"), {"region": "fda"}).status_code == 403
    assert client.post(url(complaint, "links/new-ncr/"), {"title": "x"}).status_code == 403
    assert status_of(complaint) == ComplaintStatus.RECEIVED
    assert not ComplaintReport.objects.exists() and not Nonconformance.objects.exists()


def test_an_ncr_opened_from_the_page_is_linked(client, receive, qa_a, kit_lot):
    complaint = receive()
    client.force_login(qa_a)
    response = client.post(
        url(complaint, "links/new-ncr/"), {"title": "Tip separation", "severity": "critical"}
    )
    assert response.status_code == 302
    ncr = Nonconformance.objects.get()
    assert ncr.lot == kit_lot and Complaint.objects.get(pk=complaint.pk).nonconformance == ncr
    assert f'href="/quality/ncrs/{ncr.pk}/"' in page(client, url(complaint))
    response = client.post(url(complaint, "links/capa/"), {"number": "CAPA-2099-0001"})
    assert response.status_code == 200
    assert "No record numbered CAPA-2099-0001 here." in response.content.decode()


def test_cancelling_asks_for_a_reason(client, receive, qa_a):
    complaint = receive()
    client.force_login(qa_a)
    response = act(client, complaint, "cancel", reason=" ")
    assert response.status_code == 200
    assert "This action needs a reason." in response.content.decode()
    assert status_of(complaint) == ComplaintStatus.RECEIVED
    assert act(client, complaint, "cancel", reason="Duplicate.").status_code == 302
    response = act(client, complaint, "start_investigation")  # a stale button
    assert response.status_code == 302 and status_of(complaint) == ComplaintStatus.CANCELLED


def test_another_sites_complaint_is_not_found(client, receive, qa_b, stranger):
    complaint = receive()
    complaints.start_investigation(complaint, by=complaint.received_by)
    report = disclosures.generate_report(complaint, region="fda", by=complaint.received_by)
    for user in (qa_b, stranger):
        client.force_login(user)
        for suffix in ("", "patient/", "edit/", f"reports/{report.pk}/pdf/", "closure-letter/"):
            assert client.get(url(complaint, suffix)).status_code == 404, suffix
        assert act(client, complaint, "cancel", reason="x").status_code == 404
        assert client.post(url(complaint, "reports/"), {"region": "fda"}).status_code == 404
        assert complaint.number not in page(client, LIST)
    assert status_of(complaint) == ComplaintStatus.INVESTIGATING
    assert ComplaintReport.objects.count() == 1


def test_visitors_are_sent_to_sign_in(client, receive):
    complaint = receive()
    for target in (LIST, NEW, url(complaint), url(complaint, "patient/")):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_is_not_searched_by_the_encrypted_complainant(client, receive, qa_a):
    complaint = receive()
    client.force_login(qa_a)
    assert complaint.number not in page(client, LIST, q="Zhang")
    assert complaint.number in page(client, LIST, q=complaint.number)
