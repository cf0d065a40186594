"""Supplier audits: planned, findings recorded with their rules, a CAPA opened from a finding
with one action, findings closed with evidence (not before their CAPA), the conclusion signed;
refusals write nothing."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit import signatures
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services
from medtrace.partners.models import AuditFinding, SupplierAudit
from medtrace.partners.services import audits
from medtrace.quality.models import Capa

pytestmark = pytest.mark.django_db


def day(offset: int = 0) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def planned(supplier, buyer_a):
    return audits.plan_audit(
        supplier=supplier, kind="on_site", planned_on=day(7), scope="QMS, regrind control",
        auditors="Buyer A, Qa A", by=buyer_a,
    )  # fmt: skip


def entries(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("sequence")


def test_an_audit_is_planned_numbered_and_audited(planned, buyer_a):
    assert planned.number == f"SA-{timezone.localdate().year}-0001"
    assert planned.status == "planned"
    entry = entries(planned).get()
    assert entry.action == "create" and entry.actor_id == buyer_a.pk
    assert entry.object_repr.startswith("SUP-PVC: SA-")


def test_a_disqualified_supplier_is_not_audited(supplier, qa_a):
    services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="No")
    with pytest.raises(DomainError) as refused:
        audits.plan_audit(
            supplier=supplier, kind="remote", planned_on=day(), scope="x", auditors="y", by=qa_a
        )
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert not SupplierAudit.objects.exists()


def test_findings_need_a_description_and_for_major_or_minor_a_due_date(planned, buyer_a):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        audits.add_finding(planned, classification="major", description=" ", by=buyer_a)
    assert set(refused.value.details["fields"]) == {"description", "due_on"}
    assert not AuditFinding.objects.exists() and AuditEntry.objects.count() == before
    observation = audits.add_finding(
        planned, classification="observation", description="Floor markings faded", by=buyer_a
    )
    major = audits.add_finding(
        planned, classification="major", description="Regrind mixed into virgin resin",
        due_on=day(30), by=buyer_a,
    )  # fmt: skip
    assert (observation.sequence, major.sequence) == (1, 2)
    assert major.reference == f"{planned.number}/F2"
    assert entries(planned).last().changes == {
        "finding F2": [None, ["major", "Regrind mixed into virgin resin", day(30).isoformat()]]
    }


def test_the_conclusion_needs_day_result_and_text_and_is_signed(planned, buyer_a):
    audits.add_finding(
        planned, classification="major", description="No regrind control", due_on=day(30),
        by=buyer_a,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        audits.conclude_audit(planned, by=buyer_a, password=PASSWORD)
    assert set(refused.value.details["fields"]) == {"performed_on", "result", "conclusion"}
    audits.update_audit(
        planned, by=buyer_a, performed_on=day(), result="satisfactory", conclusion="Good"
    )
    with pytest.raises(DomainError) as refused:
        audits.conclude_audit(planned, by=buyer_a, password=PASSWORD)
    assert "cannot be satisfactory" in str(refused.value.message)
    audits.update_audit(planned, by=buyer_a, result="findings")
    concluded = audits.conclude_audit(planned, by=buyer_a, password=PASSWORD, reason="Report")
    assert concluded.status == "completed" and concluded.concluded_at is not None
    ((signature, valid),) = signatures.with_validity(concluded)
    assert valid and signature.meaning == "approved" and signature.signer == buyer_a
    # The report is fixed: no new finding, no edit; closing a finding keeps the signature.
    for write in (
        lambda: audits.add_finding(concluded, classification="observation", description="x",
                                   by=buyer_a),
        lambda: audits.update_audit(concluded, by=buyer_a, conclusion="changed"),
    ):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            write()
        assert refused.value.code == ErrorCode.INVALID_STATE
    finding = concluded.findings.get()
    audits.close_finding(finding, evidence="Segregation verified on site", by=buyer_a)
    assert signatures.with_validity(concluded)[0][1]


def test_a_capa_is_opened_from_a_finding_with_one_action(planned, qa_a, site_a, buyer_a):
    finding = audits.add_finding(
        planned, classification="major", description="Regrind mixed into virgin resin\nLot 7",
        due_on=day(30), by=buyer_a,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        audits.open_capa_for_finding(finding, site=site_a, by=buyer_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED  # purchasing opens no CAPA
    assert not Capa.objects.exists()
    capa = audits.open_capa_for_finding(finding, site=site_a, by=qa_a)
    assert capa.source == "audit" and capa.site == site_a and capa.due_on == day(30)
    assert capa.title == "SUP-PVC: Regrind mixed into virgin resin"
    assert finding.reference in capa.problem_statement
    finding.refresh_from_db()
    assert finding.capa == capa
    assert entries(planned).last().changes == {"finding F1 CAPA": [None, capa.number]}
    with pytest.raises(DomainError) as refused:
        audits.open_capa_for_finding(finding, site=site_a, by=qa_a)
    assert refused.value.code == ErrorCode.DUPLICATE and capa.number in str(refused.value.message)
    with pytest.raises(DomainError) as refused:
        audits.close_finding(finding, evidence="Done", by=qa_a)
    assert capa.number in str(refused.value.message) and "Open" in str(refused.value.message)
    assert AuditFinding.objects.get(pk=finding.pk).status == "open"
    from medtrace.quality.services import capa as capas

    capas.cancel(capa, by=qa_a, reason="Handled in the supplier's 8D instead")
    closed = audits.close_finding(finding, evidence="8D-2026-14 accepted", by=qa_a)
    assert closed.status == "closed" and closed.closed_by == qa_a


def test_a_finding_without_evidence_stays_open(planned, buyer_a):
    finding = audits.add_finding(
        planned, classification="minor", description="Old form", due_on=day(9), by=buyer_a
    )
    with pytest.raises(DomainError) as refused:
        audits.close_finding(finding, evidence="  ", by=buyer_a)
    assert "evidence" in refused.value.details["fields"]
    assert AuditFinding.objects.get(pk=finding.pk).status == "open"


def test_a_cancelled_audit_needs_a_reason_and_its_findings_stay_as_they_were(planned, buyer_a):
    finding = audits.add_finding(
        planned, classification="minor", description="Old form", due_on=day(9), by=buyer_a
    )
    with pytest.raises(DomainError) as refused:
        audits.cancel_audit(planned, by=buyer_a, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    audits.cancel_audit(planned, by=buyer_a, reason="Supplier moved the plant")
    with pytest.raises(DomainError) as refused:
        audits.close_finding(finding, evidence="x", by=buyer_a)
    assert "cancelled" in str(refused.value.message)


def test_an_operator_may_not_conclude(planned, buyer_a, operator_a):
    audits.update_audit(planned, by=buyer_a, performed_on=day(), result="satisfactory",
                        conclusion="Fine")  # fmt: skip
    with pytest.raises(DomainError) as refused:
        audits.conclude_audit(planned, by=operator_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert SupplierAudit.objects.get(pk=planned.pk).status == "planned"
