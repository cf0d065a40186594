"""The supplier qualification lifecycle: each transition with its decision record, evaluation,
audit entry and (for the QA manager's decisions) signature; each refusal naming its rule, with
nothing written (a refused signature leaves only its SIGN_FAILED entry)."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit import signatures
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services
from medtrace.partners.choices import EvaluationStatus, RiskClass, SupplierStatus
from medtrace.partners.models import QualificationDecision, Supplier, SupplierEvaluation
from medtrace.partners.readiness import approval_gaps, current_evaluation
from medtrace.partners.services import audits, evaluations
from medtrace.partners.tests.conftest import add_iso, answer_all

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def entries(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("sequence")


def stored(supplier) -> Supplier:
    return Supplier.objects.get(pk=supplier.pk)


class Unchanged:
    """Snapshot of what a refused action must leave as it was."""

    def __init__(self, supplier):
        self.supplier = supplier
        self.status = stored(supplier).status
        self.entries = AuditEntry.objects.count()
        self.decisions = QualificationDecision.objects.count()
        self.evaluations = SupplierEvaluation.objects.count()
        self.signatures = Signature.objects.count()

    def check(self, *, sign_failed: int = 0):
        assert stored(self.supplier).status == self.status
        assert QualificationDecision.objects.count() == self.decisions
        assert SupplierEvaluation.objects.count() == self.evaluations
        assert Signature.objects.count() == self.signatures
        assert AuditEntry.objects.count() == self.entries + sign_failed


def test_purchasing_starts_the_evaluation_and_an_evaluation_opens(supplier, buyer_a):
    supplier = services.start_evaluation(supplier, by=buyer_a, reason="New PVC source")
    assert supplier.status == SupplierStatus.UNDER_EVALUATION
    evaluation = SupplierEvaluation.objects.get(supplier=supplier)
    year = timezone.localdate().year
    assert evaluation.number == f"SE-{year}-0001" and evaluation.is_open
    decision = QualificationDecision.objects.get(supplier=supplier)
    assert (decision.from_status, decision.to_status) == ("prospective", "under_evaluation")
    assert decision.evaluation == evaluation and decision.decided_by == buyer_a
    transition = entries(supplier).filter(action="transition").get()
    assert transition.changes["status"] == ["prospective", "under_evaluation"]
    assert transition.reason == "New PVC source" and transition.actor_id == buyer_a.pk
    assert entries(evaluation).get().action == "create"


def test_an_operator_may_not_start_an_evaluation(supplier, operator_a):
    unchanged = Unchanged(supplier)
    with pytest.raises(DomainError) as refused:
        services.start_evaluation(supplier, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    unchanged.check()


def test_purchasing_may_not_approve(evaluating, buyer_a):
    unchanged = Unchanged(evaluating)
    with pytest.raises(DomainError) as refused:
        services.approve(evaluating, by=buyer_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    unchanged.check()


def test_approval_is_refused_naming_each_missing_piece(supplier, buyer_a, qa_a):
    supplier = services.start_evaluation(supplier, by=buyer_a)
    answer_all(current_evaluation(supplier), buyer_a, skip=2)
    unchanged = Unchanged(supplier)
    with pytest.raises(DomainError) as refused:
        services.approve(supplier, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    gaps = refused.value.details["gaps"]
    assert len(gaps) == 4, gaps
    assert "2 questions of SE-" in gaps[0] and "kept for the device's lifetime" in gaps[0]
    assert "risk class" in gaps[1] and "no conclusion" in gaps[2]
    assert "no valid ISO 13485 certificate or production licence" in gaps[3]
    assert "SUP-PVC cannot be approved yet" in str(refused.value.message)
    unchanged.check()  # refused before the signature: not even a SIGN_FAILED entry


def test_an_expired_certificate_does_not_count(evaluating, qa_a):
    evaluating.certificates.all().delete()
    add_iso(evaluating, days=-1)
    assert approval_gaps(evaluating) == [
        "Supplier SUP-PVC has no valid ISO 13485 certificate or production licence."
    ]
    services.add_certificate(
        supplier=evaluating, kind="production_licence", number="浙械生产许1",
        valid_until=TODAY() + datetime.timedelta(days=30),
    )  # fmt: skip
    assert approval_gaps(evaluating) == []


def test_a_critical_supplier_needs_an_audit_without_an_open_major_finding(supplier, qa_a):
    from medtrace.partners.tests.conftest import ready_for_approval

    supplier = ready_for_approval(supplier, qa_a, risk=RiskClass.CRITICAL)
    (gap,) = approval_gaps(supplier)
    assert "critical supplier: it needs an audit concluded in the last three years" in gap
    audit = audits.plan_audit(
        supplier=supplier, kind="on_site", planned_on=TODAY(), scope="QMS", auditors="Qa A",
        by=qa_a,
    )  # fmt: skip
    finding = audits.add_finding(
        audit, classification="major", description="No regrind control",
        due_on=TODAY() + datetime.timedelta(days=30), by=qa_a,
    )  # fmt: skip
    audits.update_audit(
        audit, by=qa_a, performed_on=TODAY(), result="findings", conclusion="CAPA needed"
    )
    audits.conclude_audit(audit, by=qa_a, password=PASSWORD)
    assert approval_gaps(supplier) == [f"Major finding {finding.reference} is still open."]
    with pytest.raises(DomainError) as refused:
        services.approve(supplier, by=qa_a, password=PASSWORD)
    assert finding.reference in str(refused.value.message)
    audits.close_finding(finding, evidence="Regrind segregated, 8D accepted", by=qa_a)
    assert services.approve(supplier, by=qa_a, password=PASSWORD).status == "approved"


def test_a_wrong_password_keeps_only_the_refusal_on_the_supplier(evaluating, qa_a):
    unchanged = Unchanged(evaluating)
    with pytest.raises(DomainError) as refused:
        services.approve(evaluating, by=qa_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    unchanged.check(sign_failed=1)
    failed = entries(evaluating).last()
    assert failed.action == "sign_failed" and failed.changes["cause"] == "wrong_password"
    qa_a.refresh_from_db()
    assert qa_a.failed_signatures == 1
    assert current_evaluation(evaluating).is_open


def test_approval_signs_its_decision_and_closes_the_evaluation(evaluating, qa_a):
    supplier = services.approve(evaluating, by=qa_a, password=PASSWORD, reason="All good")
    assert supplier.status == SupplierStatus.APPROVED
    decision = QualificationDecision.objects.filter(supplier=supplier).first()
    assert decision.action == "approve" and decision.to_status == "approved"
    assert decision.basis["evaluation"]["answered"] == 10
    assert decision.basis["required_certificate"][1] == "CN-13485-1"
    ((signature, valid),) = signatures.with_validity(decision)
    assert valid and signature.meaning == "approved" and signature.signer == qa_a
    assert signature.reason == "All good"
    evaluation = decision.evaluation
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.outcome) == (EvaluationStatus.CLOSED, "approved")
    transition = entries(supplier).filter(action="transition").last()
    assert transition.changes["status"] == ["under_evaluation", "approved"]
    assert transition.reason == "All good"
    with pytest.raises(DomainError) as refused:
        evaluations.update_evaluation(evaluation, by=qa_a, conclusion="changed")
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_a_conditional_approval_needs_its_conditions_and_a_future_deadline(evaluating, qa_a):
    unchanged = Unchanged(evaluating)
    for conditions, due in [("", TODAY() + datetime.timedelta(days=9)), ("Close F1", TODAY())]:
        with pytest.raises(DomainError) as refused:
            services.approve_conditionally(
                evaluating, by=qa_a, password=PASSWORD, conditions=conditions,
                conditions_due_on=due,
            )  # fmt: skip
        assert refused.value.code == ErrorCode.VALIDATION
        field = "conditions" if not conditions else "conditions_due_on"
        assert list(refused.value.details["fields"]) == [field]
    unchanged.check()
    due = TODAY() + datetime.timedelta(days=30)
    supplier = services.approve_conditionally(
        evaluating, by=qa_a, password=PASSWORD, conditions="Send the CoA with each lot",
        conditions_due_on=due,
    )  # fmt: skip
    assert supplier.status == SupplierStatus.CONDITIONAL
    assert (supplier.conditions, supplier.conditions_due_on) == ("Send the CoA with each lot", due)
    decision = supplier.decisions.first()
    assert decision.conditions == "Send the CoA with each lot" and decision.conditions_due_on == due
    assert signatures.with_validity(decision)[0][1]


def test_the_same_qa_manager_signs_each_decision_and_every_signature_holds(evaluating, qa_a):
    due = TODAY() + datetime.timedelta(days=30)
    services.approve_conditionally(
        evaluating, by=qa_a, password=PASSWORD, conditions="Renew", conditions_due_on=due
    )
    with pytest.raises(DomainError) as refused:
        services.lift_conditions(evaluating, by=qa_a, password=PASSWORD, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    supplier = services.lift_conditions(
        evaluating, by=qa_a, password=PASSWORD, reason="Renewed certificate received"
    )
    assert supplier.status == "approved" and supplier.conditions == ""
    assert supplier.conditions_due_on is None
    supplier = services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="Recall")
    assert supplier.status == "disqualified"
    decisions = list(supplier.decisions.order_by("pk"))
    signed = [d for d in decisions if d.action != "start_evaluation"]
    assert [d.action for d in signed] == ["approve_conditionally", "lift_conditions", "disqualify"]
    for decision in signed:
        ((signature, valid),) = signatures.with_validity(decision)
        assert valid and signature.signer == qa_a
    # Changing the supplier afterwards breaks none of them.
    services.update_supplier(supplier=supplier, by=qa_a, name="新名称")
    assert all(signatures.with_validity(d)[0][1] for d in signed)


def test_requalification_opens_a_new_evaluation_carrying_the_risk_class(qualify, supplier, qa_a):
    supplier = qualify(supplier, risk=RiskClass.MAJOR)
    unchanged = Unchanged(supplier)
    with pytest.raises(DomainError) as refused:
        services.requalify(supplier, by=qa_a, reason=" ")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    unchanged.check()
    supplier = services.requalify(supplier, by=qa_a, reason="Three complaints this quarter")
    assert supplier.status == SupplierStatus.UNDER_EVALUATION
    first, second = SupplierEvaluation.objects.filter(supplier=supplier).order_by("pk")
    assert first.status == "closed" and second.is_open
    assert second.risk_class == RiskClass.MAJOR and second.answers.count() == 0
    assert approval_gaps(supplier)[0].startswith("10 questions of " + second.number)


def test_disqualification_from_any_state_and_back_to_evaluation(supplier, qa_a, buyer_a):
    with pytest.raises(DomainError) as refused:
        services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    supplier = services.disqualify(
        supplier, by=qa_a, password=PASSWORD, reason="Failed the screening visit"
    )
    assert supplier.status == "disqualified"
    with pytest.raises(DomainError) as refused:
        services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="again")
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "Disqualified" in str(refused.value.message)
    supplier = services.reevaluate(supplier, by=buyer_a, reason="New plant and QMS")
    assert supplier.status == "under_evaluation"
    assert SupplierEvaluation.objects.filter(supplier=supplier, status="open").count() == 1
    supplier = services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="Still poor")
    assert not SupplierEvaluation.objects.filter(supplier=supplier, status="open").exists()
    assert SupplierEvaluation.objects.get(supplier=supplier).outcome == "disqualified"


def test_set_supplier_status_takes_the_action_that_leads_there(supplier, qa_a, buyer_a):
    supplier = services.set_supplier_status(
        supplier, "under_evaluation", by=buyer_a, reason="Samples arrived"
    )
    assert supplier.status == "under_evaluation"
    with pytest.raises(DomainError) as refused:
        services.set_supplier_status(supplier, "approved", by=qa_a, reason="ok", password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE  # the evaluation is not complete
    services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="No")
    with pytest.raises(DomainError) as refused:
        services.set_supplier_status(supplier, "approved", by=qa_a, reason="r", password=PASSWORD)
    assert "cannot become Approved directly" in str(refused.value.message)


def test_a_qa_manager_of_another_site_of_the_organization_may_approve(
    evaluating, make_user, site_b
):
    """Suppliers are organization-wide: a QA manager at any site of the organization decides."""
    qa_b = make_user("qa-b2", (site_b, Role.QA_MANAGER))
    assert services.approve(evaluating, by=qa_b, password=PASSWORD).status == "approved"


def test_a_qa_manager_of_another_organization_may_not(evaluating, stranger):
    with pytest.raises(DomainError) as refused:
        services.approve(evaluating, by=stranger, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
