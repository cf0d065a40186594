"""Supplier qualification over the REST API, mounted with the partners' router at
/api/v1/partners: the lifecycle (POST .../suppliers/{code}/actions/{name}; approvals and
disqualification take the caller's password, entered now), evaluations and their
questionnaire, audits and findings (a CAPA opened from a finding), the decisions with their
signatures, the approved-source check purchasing and receiving call, and the certificates to
renew. Reads are scoped to the caller's organization; writes call the same services as the
pages."""

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from medtrace.audit import signatures
from medtrace.catalog.selectors import get_item_or_404
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.partners import readiness, selectors
from medtrace.partners.api import CertificateOut
from medtrace.partners.choices import (
    EXPIRY_WARNING_DAYS,
    Answer,
    AuditKind,
    AuditResult,
    AuditStatus,
    EvaluationStatus,
    FindingClass,
    FindingStatus,
    RiskClass,
    SupplierStatus,
    Verdict,
)
from medtrace.partners.questionnaire import QUESTIONS
from medtrace.partners.services import audits as audit_services
from medtrace.partners.services import evaluations as evaluation_services
from medtrace.partners.services import qualification
from medtrace.partners.sourcing import check_approved_source
from medtrace.partners.workflows import SUPPLIER, SUPPLIER_AUDIT
from medtrace.quality.models import InspectionRecord

router = Router(tags=["supplier qualification"])

EVALUATE = "partners.change_supplierevaluation"
AUDIT = "partners.change_supplieraudit"


class AllowedActionOut(Schema):
    name: str
    label: str
    signature: str | None
    needs_reason: bool


def allowed_actions(workflow, record, user) -> list[dict]:
    return [
        {"name": t.name, "label": str(t.label), "signature": t.signature,
         "needs_reason": t.needs_reason}
        for t in workflow.allowed(record, user)
    ]  # fmt: skip


class SupplierSignatureOut(Schema):
    signer: str
    meaning: str
    signed_at: datetime
    reason: str
    valid: bool


def _signatures(record) -> list[dict]:
    return [
        {
            "signer": signature.signer_name,
            "meaning": signature.meaning,
            "signed_at": signature.signed_at,
            "reason": signature.reason,
            "valid": valid,
        }
        for signature, valid in signatures.with_validity(record)
    ]


class SupplierQualificationOut(Schema):
    code: str
    status: SupplierStatus
    conditions: str
    conditions_due_on: date | None
    evaluation: str | None = Field(None, description="The open or last evaluation's number")
    approval_gaps: list[str] = Field(
        [], description="What an approval still needs (empty when it may be given)"
    )
    allowed_actions: list[AllowedActionOut] = []


def _qualification(request, supplier) -> dict:
    supplier = selectors.get_supplier_by_pk_or_404(request.user, supplier.pk)
    evaluation = readiness.current_evaluation(supplier)
    return {
        "code": supplier.code,
        "status": supplier.status,
        "conditions": supplier.conditions,
        "conditions_due_on": supplier.conditions_due_on,
        "evaluation": evaluation.number if evaluation else None,
        "approval_gaps": readiness.approval_gaps(supplier, evaluation)
        if supplier.status != SupplierStatus.APPROVED
        else [],
        "allowed_actions": allowed_actions(SUPPLIER, supplier, request.user),
    }


class SupplierActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""
    conditions: str = Field("", description="approve_conditionally: what the supplier must do")
    conditions_due_on: date | None = Field(None, description="approve_conditionally: deadline")


class DecisionOut(Schema):
    id: int
    action: str
    from_status: SupplierStatus
    to_status: SupplierStatus
    conditions: str
    conditions_due_on: date | None
    reason: str
    evaluation: str | None = Field(None, alias="evaluation.number")
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_at: datetime
    basis: dict
    signatures: list[SupplierSignatureOut]

    @staticmethod
    def resolve_signatures(decision) -> list[dict]:
        return _signatures(decision)


@router.get(
    "/suppliers/{code}/qualification", response={200: SupplierQualificationOut, **READ_ERRORS}
)
def get_qualification(request, code: str):
    """The supplier's status, conditions, what an approval still needs and the lifecycle
    actions the caller may take now."""
    return _qualification(request, selectors.get_supplier_or_404(request.user, code))


@router.post(
    "/suppliers/{code}/actions/{name}", response={200: SupplierQualificationOut, **WRITE_ERRORS}
)
def take_supplier_action(request, code: str, name: str, payload: SupplierActionIn):
    """A lifecycle action: start_evaluation, approve, approve_conditionally (conditions and a
    deadline), lift_conditions (reason), requalify (reason), reevaluate (reason), disqualify
    (reason). Approvals and disqualification are signed: 403 when the signature is refused,
    409 when the supplier is not ready (the details list each missing piece)."""
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, SUPPLIER.transition(name).permission)
    supplier = qualification.take_action(
        supplier, name, by=request.user, password=payload.password, reason=payload.reason,
        conditions=payload.conditions, conditions_due_on=payload.conditions_due_on,
    )  # fmt: skip
    return _qualification(request, supplier)


@router.get("/suppliers/{code}/decisions", response={200: list[DecisionOut], **READ_ERRORS})
def list_decisions(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    return list(selectors.visible_decisions(request.user).filter(supplier=supplier))


# Evaluations


class QuestionOut(Schema):
    code: str
    text: str
    guidance: str


class AnswerOut(Schema):
    question: str
    answer: Answer
    score: int | None
    comment: str


class EvaluationOut(Schema):
    id: int
    number: str
    supplier: str = Field(..., alias="supplier.code")
    status: EvaluationStatus
    outcome: str
    risk_class: str
    scope: str
    sample_lots: str
    conclusion: str
    score: int | None
    opened_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_score(evaluation) -> int | None:
        return evaluation.score()


class EvaluationDetailOut(EvaluationOut):
    answers: list[AnswerOut]
    unanswered: list[str]
    inspections: list[str]
    approval_gaps: list[str]

    @staticmethod
    def resolve_answers(evaluation) -> list:
        return list(evaluation.answers.all())

    @staticmethod
    def resolve_unanswered(evaluation) -> list[str]:
        return [question.code for question in evaluation.unanswered()]

    @staticmethod
    def resolve_inspections(evaluation) -> list[str]:
        return list(evaluation.inspections.values_list("number", flat=True))

    @staticmethod
    def resolve_approval_gaps(evaluation) -> list[str]:
        if not evaluation.is_open:
            return []
        return readiness.approval_gaps(evaluation.supplier, evaluation)


class AnswerIn(Schema):
    question: str
    answer: Answer
    score: int | None = Field(None, ge=0, le=5, description="Not for n/a")
    comment: str = ""


class AnswersIn(Schema):
    answers: list[AnswerIn]


class EvaluationPatch(Schema):
    risk_class: RiskClass | None = None
    scope: str | None = None
    sample_lots: str | None = None
    conclusion: str | None = None
    inspections: list[str] | None = Field(
        None, description="Numbers of incoming inspections of this supplier's lots"
    )
    reason: str = ""


@router.get("/questionnaire", response=list[QuestionOut])
def questionnaire(request):
    """The supplier evaluation's questions (answers: yes, partly, no, n/a; score 0 to 5)."""
    return [{"code": q.code, "text": str(q.text), "guidance": str(q.guidance)} for q in QUESTIONS]


@router.get("/suppliers/{code}/evaluations", response={200: list[EvaluationOut], **READ_ERRORS})
def list_evaluations(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    return list(
        selectors.visible_evaluations(request.user)
        .filter(supplier=supplier)
        .prefetch_related("answers")
    )


def _evaluation(request, pk: int):
    return selectors.get_evaluation_or_404(request.user, pk)


@router.get("/supplier-evaluations/{int:pk}", response={200: EvaluationDetailOut, **READ_ERRORS})
def get_evaluation(request, pk: int):
    return _evaluation(request, pk)


@router.patch("/supplier-evaluations/{int:pk}", response={200: EvaluationDetailOut, **WRITE_ERRORS})
def update_evaluation(request, pk: int, payload: EvaluationPatch):
    """Risk class, scope, sample lots, the incoming inspections of the samples, conclusion:
    while the evaluation is open (409 once closed)."""
    evaluation = _evaluation(request, pk)
    require_perm(request, EVALUATE)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "inspections" in changes:
        numbers = changes["inspections"] or []
        found = {
            record.number: record
            for record in access.scoped(InspectionRecord.objects.all(), request.user).filter(
                organization_id=evaluation.organization_id, number__in=numbers
            )
        }
        if len(found) != len(set(numbers)):
            raise Http404
        changes["inspections"] = [found[number] for number in numbers]
    evaluation_services.update_evaluation(evaluation, by=request.user, reason=reason, **changes)
    return _evaluation(request, pk)


@router.post(
    "/supplier-evaluations/{int:pk}/answers",
    response={200: EvaluationDetailOut, **WRITE_ERRORS},
)
def answer_questions(request, pk: int, payload: AnswersIn):
    """Answer questions (all or none); an answer given again replaces the earlier one."""
    evaluation = _evaluation(request, pk)
    require_perm(request, EVALUATE)
    evaluation_services.answer_questions(
        evaluation, answers=[a.dict() for a in payload.answers], by=request.user
    )
    return _evaluation(request, pk)


# Audits


class FindingOut(Schema):
    id: int
    reference: str
    sequence: int
    classification: FindingClass
    description: str
    due_on: date | None
    status: FindingStatus
    capa: str | None = Field(None, alias="capa.number")
    closure_note: str
    closed_at: datetime | None


class AuditOut(Schema):
    id: int
    number: str
    supplier: str = Field(..., alias="supplier.code")
    kind: AuditKind
    status: AuditStatus
    planned_on: date
    performed_on: date | None
    scope: str
    auditors: str
    result: str
    conclusion: str
    concluded_at: datetime | None


class AuditDetailOut(AuditOut):
    findings: list[FindingOut]
    signatures: list[SupplierSignatureOut]
    allowed_actions: list[AllowedActionOut] = []

    @staticmethod
    def resolve_findings(supplier_audit) -> list:
        return list(supplier_audit.findings.select_related("audit", "capa"))

    @staticmethod
    def resolve_signatures(supplier_audit) -> list[dict]:
        return _signatures(supplier_audit)

    @staticmethod
    def resolve_allowed_actions(supplier_audit, context) -> list[dict]:
        return allowed_actions(SUPPLIER_AUDIT, supplier_audit, context["request"].user)


class AuditIn(Schema):
    kind: AuditKind
    planned_on: date
    scope: str
    auditors: str


class AuditPatch(Schema):
    kind: AuditKind | None = None
    planned_on: date | None = None
    performed_on: date | None = None
    scope: str | None = None
    auditors: str | None = None
    result: AuditResult | None = None
    conclusion: str | None = None
    reason: str = ""


class FindingIn(Schema):
    classification: FindingClass
    description: str
    due_on: date | None = Field(None, description="Required for a major or minor finding")


class AuditActionIn(Schema):
    password: str = Field("", description="conclude: entered now")
    reason: str = ""


class SupplierEvidenceIn(Schema):
    evidence: str


class SupplierCapaIn(Schema):
    site: str = Field(..., description="Site code of the CAPA")


class SupplierCapaRefOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")


@router.get("/suppliers/{code}/audits", response={200: list[AuditOut], **READ_ERRORS})
def list_audits(request, code: str):
    supplier = selectors.get_supplier_or_404(request.user, code)
    return list(selectors.visible_audits(request.user).filter(supplier=supplier))


@router.post("/suppliers/{code}/audits", response={201: AuditDetailOut, **WRITE_ERRORS})
def plan_audit(request, code: str, payload: AuditIn):
    supplier = selectors.get_supplier_or_404(request.user, code)
    require_perm(request, "partners.add_supplieraudit")
    supplier_audit = audit_services.plan_audit(supplier=supplier, by=request.user, **payload.dict())
    return Status(201, selectors.get_audit_or_404(request.user, supplier_audit.pk))


@router.get("/supplier-audits/{int:pk}", response={200: AuditDetailOut, **READ_ERRORS})
def get_audit(request, pk: int):
    return selectors.get_audit_or_404(request.user, pk)


@router.patch("/supplier-audits/{int:pk}", response={200: AuditDetailOut, **WRITE_ERRORS})
def update_audit(request, pk: int, payload: AuditPatch):
    """Describe a planned audit (409 once concluded or cancelled)."""
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    require_perm(request, AUDIT)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    audit_services.update_audit(supplier_audit, by=request.user, reason=reason, **changes)
    return selectors.get_audit_or_404(request.user, pk)


@router.post("/supplier-audits/{int:pk}/findings", response={201: FindingOut, **WRITE_ERRORS})
def add_finding(request, pk: int, payload: FindingIn):
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    require_perm(request, AUDIT)
    finding = audit_services.add_finding(supplier_audit, by=request.user, **payload.dict())
    return Status(201, selectors.get_finding_or_404(request.user, finding.pk))


@router.post(
    "/supplier-audits/{int:pk}/actions/{name}", response={200: AuditDetailOut, **WRITE_ERRORS}
)
def take_audit_action(request, pk: int, name: str, payload: AuditActionIn):
    """conclude (signature: approved; the day performed, result and conclusion first) or
    cancel (reason)."""
    supplier_audit = selectors.get_audit_or_404(request.user, pk)
    require_perm(request, SUPPLIER_AUDIT.transition(name).permission)
    audit_services.take_audit_action(
        supplier_audit, name, by=request.user, password=payload.password, reason=payload.reason
    )
    return selectors.get_audit_or_404(request.user, pk)


@router.post("/audit-findings/{int:pk}/close", response={200: FindingOut, **WRITE_ERRORS})
def close_finding(request, pk: int, payload: SupplierEvidenceIn):
    """Close a finding with its evidence (409 while its CAPA is open)."""
    finding = selectors.get_finding_or_404(request.user, pk)
    require_perm(request, AUDIT)
    audit_services.close_finding(finding, evidence=payload.evidence, by=request.user)
    return selectors.get_finding_or_404(request.user, pk)


@router.post("/audit-findings/{int:pk}/capa", response={201: SupplierCapaRefOut, **WRITE_ERRORS})
def open_capa(request, pk: int, payload: SupplierCapaIn):
    """Open a CAPA (source: audit finding) at a site of the caller's and link it."""
    finding = selectors.get_finding_or_404(request.user, pk)
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm="quality.add_capa", code=payload.site.upper()
    )
    require_perm(request, "quality.add_capa", site)
    capa = audit_services.open_capa_for_finding(finding, site=site, by=request.user)
    return Status(201, capa)


# The approved-source check and the certificates to renew


class SupplierVerdictOut(Schema):
    verdict: Verdict
    supplier: str
    supplier_status: SupplierStatus
    item: str
    reason: str
    conditions: str
    conditions_due_on: date | None


class VerdictQuery(Schema):
    supplier: str = Field(..., description="Supplier code")
    item: str = Field(..., description="Item code")
    at: datetime | None = Field(None, description="When (default: now)")


@router.get("/approved-sources/check", response={200: SupplierVerdictOut, **READ_ERRORS})
def check_source(request, query: Query[VerdictQuery]):
    """Whether the supplier may supply the item: allowed, conditional (with the conditions and
    their deadline) or refused (with the reason). Purchasing and receiving ask this."""
    supplier = selectors.get_supplier_or_404(request.user, query.supplier)
    item = get_item_or_404(request.user, query.item)
    return check_approved_source(supplier=supplier, item=item, at=query.at).as_dict()


@router.get("/certificates/expiring", response={200: list[CertificateOut], **READ_ERRORS})
def certificates_expiring(request, days: int = EXPIRY_WARNING_DAYS):
    """The latest certificate of each kind of every supplier not disqualified, expired or
    expiring within `days`, soonest first."""
    if request.user.organization_id is None or not request.user.has_perm(
        "partners.view_suppliercertificate"
    ):
        return []
    return list(selectors.certificates_to_renew(request.user.organization_id, max(days, 0)))
