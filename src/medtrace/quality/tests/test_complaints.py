"""Complaint services: intake by scan with the trace's consignee, the reportability deadlines
of each market stored and cited at the complaint level, the walk to closure with signatures,
report drafts, the NCR and CAPA links, the patient's data kept out of the audit trail, and
refusals that change nothing."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality import reportability
from medtrace.quality.choices import (
    ComplaintStatus,
    EventOutcome,
    MarketRegion,
    NcrSource,
    ReportForm,
)
from medtrace.quality.models import Capa, Complaint, ComplaintReport, Nonconformance
from medtrace.quality.models.numbering import RecordCounter
from medtrace.quality.services import complaint_disclosures as disclosures
from medtrace.quality.services import complaints
from medtrace.quality.tests.complaint_fixtures import GTIN, INITIALS, INJURY, LOT_NUMBER, SERIAL
from medtrace.quality.workflows import COMPLAINT

pytestmark = pytest.mark.django_db


def entries(complaint):
    return list(
        AuditEntry.objects.filter(object_type="quality.complaint", object_id=str(complaint.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def stored(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def investigated(complaint, by):
    complaint = complaints.start_investigation(complaint, by=by)
    return complaints.update_complaint(
        complaint,
        by=by,
        reason="Returned device examined.",
        investigation="Returned kit examined: tip separated at the bond joint.",
        root_cause="Bond cure time short on line 2.",
    )


def test_the_choices_are_the_reportability_modules_values():
    assert set(EventOutcome.values) == {outcome.value for outcome in reportability.Outcome}
    assert set(MarketRegion.values) == {region.value for region in reportability.Region}


def test_a_scanned_serial_names_the_unit_its_lot_item_and_the_hospital_it_went_to(
    receive, shipped_unit, kit_lot, catheter, hospital
):
    complaint = receive()
    assert complaint.number.startswith("CMP-") and complaint.number.endswith("-0001")
    assert (complaint.unit, complaint.lot, complaint.item) == (shipped_unit, kit_lot, catheter)
    assert complaint.scanned_code == SERIAL
    assert complaint.customer == hospital  # every shipment of it went there
    assert complaint.status == ComplaintStatus.RECEIVED
    assert entries(complaint) == [AuditAction.CREATE]


@pytest.mark.parametrize(
    "code",
    [
        f"https://id.gs1.org/01/{GTIN}/21/{SERIAL}",
        f"]d201{GTIN}21{SERIAL}",
        f"(01){GTIN}(21){SERIAL}",
    ],
)
def test_any_label_of_the_unit_names_it(receive, shipped_unit, code):
    assert receive(code=code).unit == shipped_unit


def test_a_lot_number_names_the_lot_and_the_trace_shows_where_it_went(
    receive, kit_lot, qa_a, hospital
):
    complaint = receive(code=LOT_NUMBER)
    assert complaint.lot == kit_lot and complaint.unit is None
    trace = selectors.device_trace(qa_a, complaint)
    assert [row.party.customer for row in trace.consignees] == [hospital]
    assert trace.consignees[0].shipments[0].biz_step == "shipping"


@pytest.mark.parametrize(
    ("overrides", "code", "field", "words"),
    [
        ({"code": "NOPE-404"}, ErrorCode.NOT_FOUND, "code", "Nothing traced here is named"),
        (
            {"aware_on": date.today() + timedelta(days=3)},
            ErrorCode.VALIDATION,
            "aware_on",
            "awareness is a past fact",
        ),
        (
            {"event_date": date.today()},
            ErrorCode.VALIDATION,
            "event_date",
            "cannot be after the day we became aware",
        ),
        (
            {"patient_involved": False},
            ErrorCode.VALIDATION,
            "patient_involved",
            "no patient is involved",
        ),
        (
            {"outcomes": ["cluster"]},
            ErrorCode.VALIDATION,
            "outcomes",
            "Say what happened",
        ),
        ({"outcomes": ["sneezing"]}, ErrorCode.VALIDATION, "outcomes", "Unknown outcomes"),
        ({"description": ""}, ErrorCode.VALIDATION, "description", "blank"),
    ],
)
def test_a_refused_intake_saves_nothing_and_takes_no_number(receive, overrides, code, field, words):
    with pytest.raises(DomainError) as refused:
        receive(**overrides)
    assert refused.value.code == code
    assert field in refused.value.details["fields"]
    assert words in " ".join(refused.value.details["fields"][field])
    assert not Complaint.objects.exists()
    assert not RecordCounter.objects.filter(prefix="CMP", last__gt=0).exists()
    assert not AuditEntry.objects.filter(object_type="quality.complaint").exists()


def test_a_device_of_a_site_the_user_cannot_see_is_not_found(receive, make_user, site_b):
    other = make_user("qa-b-only", (site_b, Role.QA_MANAGER))
    with pytest.raises(DomainError) as refused:
        receive(site=site_b, by=other)
    assert refused.value.code == ErrorCode.NOT_FOUND
    assert not Complaint.objects.exists()


def test_a_case_is_not_a_device(receive, organization, site_a):
    from medtrace.trace.services import objects

    objects.create_container(organization=organization, code="CASE-7", site=site_a)
    with pytest.raises(DomainError) as refused:
        receive(code="CASE-7")
    assert "scan the device's own label" in refused.value.message


def test_an_operator_may_not_take_complaints_an_inspector_may(
    receive, operator_a, make_user, site_a
):
    with pytest.raises(DomainError) as refused:
        receive(by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    inspector = make_user("inspector-a", (site_a, Role.QA_INSPECTOR))
    complaint = receive(by=inspector)
    assert COMPLAINT.allowed(complaint, inspector) == []


# The rule table at the complaint level: (outcomes, regions, remedial action, awareness,
# [(region, rule, citation, due)]) — the pure module is tested on its own; here the complaint
# must store the soonest due date and show each deadline with its rule and citation.
MONDAY = date(2026, 3, 2)
DEADLINE_CASES = [
    pytest.param(
        ["death"], ["nmpa", "fda", "eu"], False, MONDAY,
        [
            ("nmpa", "NMPA-25-DEATH", "《医疗器械不良事件监测和再评价管理办法》第二十五条",
             date(2026, 3, 9)),
            ("eu", "EU-87(5)", "MDR Art. 87(5)", date(2026, 3, 12)),
            ("fda", "FDA-803.50(a)(1)", "21 CFR 803.50(a)(1)", date(2026, 4, 1)),
        ],
        id="death: NMPA 7 days, EU 10 days, FDA 30 calendar days",
    ),
    pytest.param(
        ["serious_injury"], ["fda"], True, date(2026, 3, 6),
        [("fda", "FDA-803.53(a)", "21 CFR 803.53(a)", date(2026, 3, 13))],
        id="FDA 5 work days when remedial action is needed (Friday to Friday)",
    ),
    pytest.param(
        ["serious_injury"], ["nmpa", "eu"], False, MONDAY,
        [
            ("eu", "EU-87(3)", "MDR Art. 87(3)", date(2026, 3, 17)),
            ("nmpa", "NMPA-25-SERIOUS", "《医疗器械不良事件监测和再评价管理办法》第二十五条",
             date(2026, 3, 22)),
        ],
        id="serious injury: EU 15 days, NMPA 20 days",
    ),
    pytest.param(
        ["malfunction"], ["eu"], False, date(2026, 3, 7),
        [("eu", "EU-87(3)", "MDR Art. 87(3)", date(2026, 3, 23))],
        id="EU 15 days ending on a Sunday move to Monday",
    ),
    pytest.param(
        ["serious_injury", "serious_public_health_threat"], ["eu"], False, MONDAY,
        [("eu", "EU-87(4)", "MDR Art. 87(4)", date(2026, 3, 4))],
        id="EU serious public health threat: 2 days",
    ),
    pytest.param(
        ["death"], ["fda"], False, date(2025, 12, 19),
        [("fda", "FDA-803.50(a)(1)", "21 CFR 803.50(a)(1)", date(2026, 1, 18))],
        id="FDA calendar days run through the holidays",
    ),
    pytest.param(
        ["serious_injury"], ["fda"], True, date(2025, 12, 19),
        [("fda", "FDA-803.53(a)", "21 CFR 803.53(a)", date(2025, 12, 29))],
        id="FDA work days skip Christmas (5 U.S.C. 6103)",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("outcomes", "regions", "remedial", "aware", "expected"), DEADLINE_CASES)
def test_the_decision_stores_and_shows_each_markets_deadline_with_its_rule(
    receive, qa_a, outcomes, regions, remedial, aware, expected
):
    complaint = receive(
        outcomes=outcomes, regions=regions, remedial_action_needed=remedial, aware_on=aware
    )
    complaint = investigated(complaint, qa_a)
    complaint = complaints.record_decision(
        complaint, reportable=True, justification="Serious event with our device.", by=qa_a
    )
    complaint = complaints.approve_decision(complaint, by=qa_a, password=PASSWORD)
    assert stored(complaint).reportable is True
    rows = [row for row in selectors.deadlines(stored(complaint)).rows if row.form]
    assert [(row.region, row.rule_id, row.citation, row.due_date) for row in rows] == expected
    assert all(row.explanation and row.reportable for row in rows)
    assert stored(complaint).report_due_on == min(due for *_rest, due in expected)


def test_a_non_serious_event_is_reportable_nowhere_and_cannot_be_decided_reportable(receive, qa_a):
    complaint = investigated(
        receive(outcomes=["non_serious"], patient_involved=False, patient_age=None,
                patient_sex="", patient_initials="", injury_description=""),
        qa_a,
    )  # fmt: skip
    found = selectors.deadlines(complaint)
    assert {(row.region, row.rule_id) for row in found.rows} == {
        ("nmpa", "NMPA-18-NOT-REPORTABLE"),
        ("fda", "FDA-803.50-NOT-REPORTABLE"),
        ("eu", "EU-88-NOT-REPORTABLE"),
    }
    assert complaint.report_due_on is None
    with pytest.raises(DomainError) as refused:
        complaints.record_decision(complaint, reportable=True, justification="x", by=qa_a)
    assert "NMPA-18-NOT-REPORTABLE" in refused.value.message
    assert stored(complaint).reportable is None
    complaint = complaints.record_decision(
        complaint, reportable=False, justification="No harm; cosmetic.", by=qa_a
    )
    assert stored(complaint).reportable is False


def test_a_report_past_due_and_not_drafted_is_overdue_until_drafted(receive, qa_a):
    aware = timezone.localdate() - timedelta(days=40)
    complaint = investigated(receive(aware_on=aware, regions=["fda"]), qa_a)
    today = timezone.localdate()
    assert selectors.is_overdue(stored(complaint), today)
    assert list(selectors.overdue(Complaint.objects.all(), today)) == [complaint]
    [row] = [row for row in selectors.deadlines(stored(complaint)).rows if row.form]
    assert row.overdue and not row.drafts
    complaint = complaints.record_decision(
        complaint, reportable=True, justification="Serious injury.", by=qa_a
    )
    report = disclosures.generate_report(complaint, region="fda", by=qa_a)
    assert report.form == ReportForm.FDA_3500A and report.rule_id == "FDA-803.50(a)(1)"
    assert report.due_on == aware + timedelta(days=30)
    assert stored(complaint).report_due_on is None
    assert not selectors.is_overdue(stored(complaint), today)
    [row] = [row for row in selectors.deadlines(stored(complaint)).rows if row.form]
    assert row.drafts == [report] and row.late and not row.overdue


def test_deciding_not_reportable_stops_the_overdue_clock(receive, qa_a):
    aware = timezone.localdate() - timedelta(days=40)
    complaint = investigated(receive(aware_on=aware), qa_a)
    assert stored(complaint).report_due_on is not None
    complaints.record_decision(
        complaint, reportable=False, justification="Not our device: a competitor's kit.", by=qa_a
    )
    assert stored(complaint).report_due_on is None
    assert not any(row.overdue for row in selectors.deadlines(stored(complaint)).rows)
    with pytest.raises(DomainError) as refused:
        disclosures.generate_report(complaint, region="nmpa", by=qa_a)
    assert "decided not reportable" in refused.value.message
    assert not ComplaintReport.objects.exists()


def test_the_walk_to_closure_with_reports_and_signatures(receive, qa_a, regulatory_a):
    complaint = receive()
    complaint = investigated(complaint, regulatory_a)
    complaint = complaints.record_decision(
        complaint, reportable=True, justification="Serious injury with our device.",
        by=regulatory_a,
    )  # fmt: skip
    complaint = complaints.approve_decision(complaint, by=regulatory_a, password=PASSWORD)
    assert complaint.status == ComplaintStatus.DECIDED
    with pytest.raises(DomainError) as refused:
        complaints.close(complaint, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "has not been drafted" in refused.value.message
    assert stored(complaint).status == ComplaintStatus.DECIDED
    for region in ("nmpa", "fda", "eu"):
        disclosures.generate_report(complaint, region=region, by=regulatory_a)
    complaints.update_complaint(
        complaint, by=qa_a, reason="Letter drafted.",
        closure_letter="Thank you for your report; the cause was found and corrected.",
    )  # fmt: skip
    complaint = complaints.close(complaint, by=qa_a, password=PASSWORD)
    assert complaint.status == ComplaintStatus.CLOSED and complaint.closed_at is not None
    meanings = set(Signature.objects.values_list("meaning", flat=True))
    assert meanings == {SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED}
    assert set(ComplaintReport.objects.values_list("form", flat=True)) == set(ReportForm.values)
    log = entries(complaint)
    assert log.count(AuditAction.EXPORT) == 3  # the three drafts
    assert log.count(AuditAction.TRANSITION) == 3
    with pytest.raises(DomainError) as refused:
        complaints.update_complaint(complaint, by=qa_a, reason="x", closure_letter="Other.")
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_approval_waits_for_the_investigation_and_the_password(receive, qa_a):
    complaint = complaints.start_investigation(receive(), by=qa_a)
    complaints.record_decision(complaint, reportable=True, justification="Serious.", by=qa_a)
    with pytest.raises(DomainError) as refused:
        complaints.approve_decision(complaint, by=qa_a, password=PASSWORD)
    assert "Record the investigation" in refused.value.message
    complaints.update_complaint(complaint, by=qa_a, reason="Done.", investigation="Examined.")
    with pytest.raises(DomainError) as refused:
        complaints.approve_decision(complaint, by=qa_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    assert stored(complaint).status == ComplaintStatus.INVESTIGATING
    assert not Signature.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).count() == 1


def test_the_facts_of_an_approved_decision_are_frozen_until_reopened(receive, qa_a):
    complaint = investigated(receive(), qa_a)
    complaints.record_decision(complaint, reportable=True, justification="Serious.", by=qa_a)
    complaint = complaints.approve_decision(complaint, by=qa_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        complaints.update_complaint(complaint, by=qa_a, reason="New info.", outcomes=["death"])
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "reopen the investigation" in refused.value.message
    assert stored(complaint).outcomes == ["serious_injury"]
    complaints.update_complaint(complaint, by=qa_a, reason="Phone changed.",
                                complainant_contact="+86 21 0000 0000")  # fmt: skip
    complaint = complaints.reopen(complaint, by=qa_a, reason="Patient died on day 5.")
    complaint = complaints.update_complaint(
        complaint, by=qa_a, reason="Patient died.", outcomes=["death"]
    )
    assert complaint.status == ComplaintStatus.INVESTIGATING
    assert selectors.deadlines(complaint).rows[0].rule_id == "NMPA-25-DEATH"


def test_corrections_need_a_reason_and_change_nothing_without_one(receive, qa_a):
    complaint = complaints.start_investigation(receive(), by=qa_a)
    with pytest.raises(DomainError) as refused:
        complaints.update_complaint(complaint, by=qa_a, reason=" ", investigation="Examined.")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert stored(complaint).investigation == ""
    same = complaints.update_complaint(complaint, by=qa_a, reason="", investigation="")
    assert same.investigation == ""  # nothing changed: nothing to justify, nothing audited
    assert entries(complaint) == [AuditAction.CREATE, AuditAction.TRANSITION]


def test_a_new_device_brings_its_own_lot_and_item(receive, qa_a, kit_lot, catheter):
    complaint = receive(code="")
    assert (complaint.lot, complaint.unit, complaint.item) == (None, None, None)
    complaint = complaints.update_complaint(
        complaint, by=qa_a, reason="Lot read from the box.", code=LOT_NUMBER, item=None
    )
    assert (complaint.lot, complaint.unit, complaint.item) == (kit_lot, None, catheter)
    complaint = complaints.update_complaint(
        complaint, by=qa_a, reason="Serial found.", code=SERIAL, item=catheter
    )
    assert complaint.unit.serial == SERIAL and complaint.lot == kit_lot
    assert stored(complaint).scanned_code == SERIAL


def test_patient_values_never_enter_the_audit_trail(receive, qa_a):
    complaint = receive()
    complaints.update_complaint(
        complaint, by=qa_a, reason="Age corrected by the hospital.", patient_age=68
    )
    disclosures.disclose_patient_data(complaint, by=qa_a, via="page")
    text = json.dumps(
        list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False
    )
    assert INITIALS not in text and INJURY not in text
    change = AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="quality.complaint")
    assert change.changes == {"patient_age": ["••••", "••••"]}
    shown = AuditEntry.objects.filter(action=AuditAction.EXPORT).last()
    assert shown.changes == {"patient_data": "shown", "via": "page"}


def test_without_the_permission_patient_data_is_neither_shown_nor_changed(
    receive, make_user, site_a
):
    inspector = make_user("inspector-a", (site_a, Role.QA_INSPECTOR))
    handler = make_user("handler", (site_a, Role.QA_INSPECTOR), (site_a, Role.AUDITOR))
    complaint = receive(by=inspector)  # who takes the call writes what they hear
    assert not selectors.may_view_patient(inspector, complaint)
    with pytest.raises(DomainError) as refused:
        disclosures.disclose_patient_data(complaint, by=inspector, via="page")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert not selectors.may_view_patient(handler, complaint)  # auditing needs no patient


def test_changing_patient_data_needs_the_permission(receive, qa_a, make_user, site_a):
    from medtrace.org import services as org_services

    complaint = receive()
    investigator = make_user("investigator", (site_a, Role.QA_INSPECTOR))
    with pytest.raises(DomainError) as refused:
        complaints.update_complaint(complaint, by=investigator, reason="x", patient_age=70)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert stored(complaint).patient_age == 67
    org_services.grant_role(user=investigator, site=site_a, role=Role.REGULATORY_AFFAIRS)
    investigator = type(investigator).objects.get(pk=investigator.pk)
    complaints.update_complaint(complaint, by=investigator, reason="Corrected.", patient_age=70)
    assert stored(complaint).patient_age == 70


def test_an_ncr_opened_from_the_complaint_is_linked_with_its_lot(receive, qa_a, kit_lot):
    complaint = receive()
    ncr = complaints.open_nonconformance(
        complaint, by=qa_a, title="导管尖端断裂 Tip separation", severity="critical"
    )
    assert ncr.source == NcrSource.COMPLAINT and ncr.lot == kit_lot
    assert complaint.number in ncr.description
    assert stored(complaint).nonconformance == ncr
    assert ncr.hold_event is None  # holding the lot is QA's choice
    assert entries(complaint) == [AuditAction.CREATE, AuditAction.CHANGE]


def test_a_capa_and_an_existing_ncr_are_linked_with_an_audit_entry(receive, qa_a, site_a):
    from medtrace.quality.services import nonconformance as ncrs

    complaint = receive()
    ncr = ncrs.open_nonconformance(
        site=site_a, title="x", description="y", source="complaint", severity="major", by=qa_a
    )
    complaints.link_nonconformance(complaint, nonconformance=ncr, by=qa_a)
    capa = Capa.objects.create(
        organization_id=site_a.organization_id, site=site_a, number="CAPA-2026-0099",
        title="Bonding", source="complaint", problem_statement="Tip separation",
    )  # fmt: skip
    complaints.link_capa(complaint, capa=capa, by=qa_a, reason="Systemic: bonding process.")
    complaint = stored(complaint)
    assert (complaint.nonconformance, complaint.capa) == (ncr, capa)
    reasons = list(
        AuditEntry.objects.filter(action=AuditAction.CHANGE).values_list("reason", flat=True)
    )
    assert reasons == [f"Linked to {ncr.number}", "Systemic: bonding process."]


def test_an_inspector_may_not_open_an_ncr_from_a_complaint(receive, make_user, site_a):
    inspector = make_user("inspector-a", (site_a, Role.QA_INSPECTOR))
    complaint = receive()
    with pytest.raises(DomainError) as refused:
        complaints.open_nonconformance(complaint, by=inspector, title="x", severity="minor")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not Nonconformance.objects.exists() and stored(complaint).nonconformance is None


def test_report_drafts_fill_the_forms_from_the_complaint(receive, qa_a):
    complaint = investigated(receive(), qa_a)
    complaints.record_decision(complaint, reportable=True, justification="Serious.", by=qa_a)
    nmpa = disclosures.generate_report(complaint, region="nmpa", by=qa_a)
    fda = disclosures.generate_report(complaint, region="fda", by=qa_a)
    again = disclosures.generate_report(complaint, region="fda", by=qa_a)
    assert nmpa.fields["registration_number"] == "国械注准20213140123"
    assert nmpa.fields["lot_number"] == LOT_NUMBER and nmpa.fields["serial_number"] == SERIAL
    assert nmpa.fields["harm"].startswith("严重伤害")
    assert nmpa.rule_id == "NMPA-25-SERIOUS" and nmpa.citation.endswith("第二十五条")
    assert fda.fields["reportable_event"] == "Serious injury"
    assert fda.fields["patient_initials"] == INITIALS
    assert fda.fields["udi"].endswith(f"/21/{SERIAL}")
    assert (fda.sequence, again.sequence) == (1, 2)
    assert len(fda.content_hash) == 64
    with pytest.raises(DomainError) as refused:
        disclosures.generate_report(complaint, region="xx", by=qa_a)
    assert refused.value.code == ErrorCode.VALIDATION


def test_a_region_the_device_is_not_sold_in_gets_no_report(receive, qa_a):
    complaint = investigated(receive(regions=["nmpa"]), qa_a)
    with pytest.raises(DomainError) as refused:
        disclosures.generate_report(complaint, region="eu", by=qa_a)
    assert "names no sale in" in refused.value.message
    assert not ComplaintReport.objects.exists()


def test_cancelling_stops_the_clocks_and_needs_a_reason(receive, qa_a):
    complaint = receive(aware_on=timezone.localdate() - timedelta(days=40))
    assert stored(complaint).report_due_on is not None
    with pytest.raises(DomainError) as refused:
        complaints.cancel(complaint, by=qa_a, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    complaint = complaints.cancel(complaint, by=qa_a, reason="Duplicate of CMP-2026-0001.")
    assert complaint.status == ComplaintStatus.CANCELLED
    assert stored(complaint).report_due_on is None


def test_a_qa_manager_of_another_site_may_not_act(receive, qa_b):
    complaint = receive()
    with pytest.raises(DomainError) as refused:
        complaints.start_investigation(complaint, by=qa_b)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError):
        disclosures.generate_report(complaint, region="nmpa", by=qa_b)
