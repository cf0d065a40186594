"""A supplier's qualification lifecycle (partners.workflows.SUPPLIER): evaluation started or
restarted (an evaluation record opens), approval, conditional approval with its conditions and
deadline, conditions lifted, disqualification; each by the workflow, each writing the
QualificationDecision it amounts to (signed, for the QA manager's decisions), each audited
with its reason. The nightly certificate check makes an approved supplier whose last ISO 13485
certificate or production licence has expired conditional, with a system reason naming it.
`set_supplier_status` (the earlier single entry point) takes whichever action leads there."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import readiness
from medtrace.partners.choices import (
    CERTIFICATE_RENEWAL_DAYS,
    EvaluationStatus,
    SupplierStatus,
)
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import QualificationDecision, Supplier, SupplierEvaluation
from medtrace.partners.services.common import refuse
from medtrace.partners.workflows import CERTIFICATE_LAPSED, SUPPLIER
from medtrace.quality.services.numbering import next_number

SYSTEM_ACTOR = "medtrace (nightly certificate check)"


def _basis(supplier: Supplier, evaluation: SupplierEvaluation | None, on) -> dict:
    """What the decision rests on, as it stands now (JSON)."""
    certificate = readiness.required_certificate(supplier, on)
    return {
        "supplier_name": supplier.name,
        "evaluation": evaluation.summary() if evaluation is not None else None,
        "required_certificate": (
            [certificate.kind, certificate.number, certificate.valid_until.isoformat()]
            if certificate is not None
            else None
        ),
        "audits": [
            [audit_.number, audit_.kind, audit_.performed_on.isoformat(), audit_.result]
            for audit_ in readiness.recent_audits(supplier, on)
        ],
        "open_major_findings": [f.reference for f in readiness.open_major_findings(supplier)],
    }


def _open_evaluation(supplier: Supplier) -> SupplierEvaluation | None:
    return (
        SupplierEvaluation.objects.select_for_update()
        .filter(supplier=supplier, status=EvaluationStatus.OPEN)
        .first()
    )


def _decision(supplier, name, target, *, by, reason, conditions, due) -> QualificationDecision:
    evaluation = readiness.current_evaluation(supplier)
    decision = QualificationDecision.objects.create(
        organization_id=supplier.organization_id,
        supplier=supplier,
        evaluation=evaluation,
        action=name,
        from_status=supplier.status,
        to_status=target,
        conditions=conditions,
        conditions_due_on=due,
        reason=reason.strip(),
        basis=_basis(supplier, evaluation, local_today()),
        decided_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        AuditAction.CREATE,
        decision,
        by=by,
        changes=audit.created(decision),
        reason=reason,
        actor_name="" if by is not None else SYSTEM_ACTOR,
    )
    return decision


def _close_evaluation(supplier: Supplier, outcome: str, by) -> None:
    evaluation = _open_evaluation(supplier)
    if evaluation is None:
        return
    evaluation.status, evaluation.outcome = EvaluationStatus.CLOSED, outcome
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["status", "outcome", "closed_at"])
    audit.record(
        AuditAction.TRANSITION,
        evaluation,
        by=by,
        changes={
            "status": [EvaluationStatus.OPEN, EvaluationStatus.CLOSED],
            "outcome": ["", outcome],
        },
        object_repr=f"{supplier.code}: {evaluation.number}",
    )


def _start_evaluation_record(supplier: Supplier, by) -> SupplierEvaluation:
    """A new evaluation; the risk class and scope carry over from the last one."""
    previous = SupplierEvaluation.objects.filter(supplier=supplier).order_by("-pk").first()
    evaluation = SupplierEvaluation.objects.create(
        organization_id=supplier.organization_id,
        supplier=supplier,
        number=next_number(supplier.organization, "SE"),
        risk_class=previous.risk_class if previous else "",
        scope=previous.scope if previous else "",
        opened_by=by,
    )
    audit.record(
        AuditAction.CREATE,
        evaluation,
        by=by,
        changes=audit.created(evaluation),
        object_repr=f"{supplier.code}: {evaluation.number}",
    )
    return evaluation


def _take(
    supplier: Supplier,
    name: str,
    *,
    by,
    password: str | None = None,
    reason: str = "",
    guard=None,
    conditions: str = "",
    due: datetime.date | None = None,
) -> Supplier:
    transition = SUPPLIER.transition(name)
    target = transition.target
    if target != SupplierStatus.CONDITIONAL:
        conditions, due = "", None

    def decide(locked):
        return _decision(locked, name, target, by=by, reason=reason, conditions=conditions, due=due)

    def effects(locked):
        if locked.status == SupplierStatus.UNDER_EVALUATION:
            _close_evaluation(locked, target, by)
        if target == SupplierStatus.UNDER_EVALUATION:
            _start_evaluation_record(locked, by)
        if transition.signature is None:  # else written and signed before these effects
            decide(locked)
        changes = {}
        if (locked.conditions, locked.conditions_due_on) != (conditions, due):
            changes["conditions"] = [locked.conditions, conditions]
            changes["conditions_due_on"] = [locked.conditions_due_on, due]
            locked.conditions, locked.conditions_due_on = conditions, due
        return changes

    return SUPPLIER.take(
        supplier,
        name,
        by=by,
        password=password,
        reason=reason,
        guard=guard,
        effects=effects,
        signed=decide if transition.signature is not None else None,
    )


def _refuse_gaps(supplier: Supplier, gaps: list[str], what) -> None:
    if gaps:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(code)s cannot be %(what)s yet: %(gaps)s")
            % {"code": supplier.code, "what": what, "gaps": " ".join(gaps)},
            gaps=gaps,
        )


def _ready_for_approval(supplier: Supplier) -> None:
    _refuse_gaps(supplier, readiness.approval_gaps(supplier), _("approved"))


def start_evaluation(supplier: Supplier, *, by, reason: str = "") -> Supplier:
    """Prospective → under evaluation: an evaluation opens for the questionnaire, the risk
    class, sample lots and audits."""
    return _take(supplier, "start_evaluation", by=by, reason=reason)


def approve(supplier: Supplier, *, by, password: str, reason: str = "") -> Supplier:
    """Under evaluation → approved, signed by a QA manager: the evaluation complete (every
    question answered, risk class, conclusion), for a critical supplier an audit of the last
    three years, no open major finding, a valid ISO 13485 certificate or production licence."""
    return _take(
        supplier, "approve", by=by, password=password, reason=reason, guard=_ready_for_approval
    )


def approve_conditionally(
    supplier: Supplier,
    *,
    by,
    password: str,
    conditions: str,
    conditions_due_on: datetime.date | None,
    reason: str = "",
) -> Supplier:
    """Under evaluation → conditional, signed: the evaluation answered and concluded, the
    conditions stated and a deadline after today (what is missing for a full approval is
    usually the condition)."""
    conditions = (conditions or "").strip()

    def ready(locked):
        fields = {}
        if not conditions:
            fields["conditions"] = [str(_("State the conditions of the approval."))]
        if conditions_due_on is None or conditions_due_on <= local_today():
            fields["conditions_due_on"] = [str(_("Give a deadline after today."))]
        if fields:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("A conditional approval of %(code)s needs its conditions and a deadline.")
                % {"code": locked.code},
                fields=fields,
            )
        evaluation = readiness.current_evaluation(locked)
        _refuse_gaps(
            locked, readiness.evaluation_gaps(locked, evaluation), _("approved with conditions")
        )

    return _take(
        supplier,
        "approve_conditionally",
        by=by,
        password=password,
        reason=reason,
        guard=ready,
        conditions=conditions,
        due=conditions_due_on,
    )


def lift_conditions(supplier: Supplier, *, by, password: str, reason: str) -> Supplier:
    """Conditional → approved, signed, saying how the conditions were met: everything an
    approval needs must hold now (a lapsed certificate renewed, the major finding closed)."""
    return _take(
        supplier,
        "lift_conditions",
        by=by,
        password=password,
        reason=reason,
        guard=_ready_for_approval,
    )


def requalify(supplier: Supplier, *, by, reason: str) -> Supplier:
    """Approved or conditional → under evaluation (a new evaluation opens). Until a QA manager
    decides again, purchasing from it is refused."""
    return _take(supplier, "requalify", by=by, reason=reason)


def reevaluate(supplier: Supplier, *, by, reason: str) -> Supplier:
    """Disqualified → under evaluation, e.g. after the supplier's corrective actions."""
    return _take(supplier, "reevaluate", by=by, reason=reason)


def disqualify(supplier: Supplier, *, by, password: str, reason: str) -> Supplier:
    """From any other state, signed, with the reason: the supplier is refused as a source."""
    return _take(supplier, "disqualify", by=by, password=password, reason=reason)


def take_action(
    supplier: Supplier,
    name: str,
    *,
    by,
    password: str = "",
    reason: str = "",
    conditions: str = "",
    conditions_due_on: datetime.date | None = None,
) -> Supplier:
    """The lifecycle action `name` with what the pages and the API collected."""
    SUPPLIER.transition(name)  # an unknown name is refused by name
    if name == "approve_conditionally":
        return approve_conditionally(
            supplier, by=by, password=password, reason=reason,
            conditions=conditions, conditions_due_on=conditions_due_on,
        )  # fmt: skip
    if name in ("approve", "lift_conditions", "disqualify"):
        return ACTIONS[name](supplier, by=by, password=password, reason=reason)
    return ACTIONS[name](supplier, by=by, reason=reason)


ACTIONS = {
    "start_evaluation": start_evaluation,
    "approve": approve,
    "approve_conditionally": approve_conditionally,
    "lift_conditions": lift_conditions,
    "requalify": requalify,
    "reevaluate": reevaluate,
    "disqualify": disqualify,
}


def set_supplier_status(
    supplier: Supplier,
    status: str,
    *,
    by,
    reason: str,
    password: str = "",
    conditions: str = "",
    conditions_due_on: datetime.date | None = None,
) -> Supplier:
    """Move the supplier to `status` by the lifecycle action that leads there from its
    present status, with the reason (always required here); the action's own rules apply
    (an approval needs the complete evaluation and the QA manager's signature)."""
    status = SupplierStatus(status)
    if not (reason or "").strip():
        refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing the status of supplier %(code)s.")
            % {"code": supplier.code},
            "reason",
        )
    supplier = Supplier.objects.get(pk=supplier.pk)
    if supplier.status == status:
        refuse(
            ErrorCode.INVALID_STATE,
            _("Supplier %(code)s is already %(status)s.")
            % {"code": supplier.code, "status": status.label},
            "status",
        )
    leading = [t for t in SUPPLIER.available(supplier) if t.target == status]
    if not leading:
        refuse(
            ErrorCode.INVALID_STATE,
            _("A supplier that is %(current)s cannot become %(status)s directly.")
            % {"current": supplier.get_status_display(), "status": status.label},
            "status",
        )
    return take_action(
        supplier, leading[0].name, by=by, password=password, reason=reason,
        conditions=conditions, conditions_due_on=conditions_due_on,
    )  # fmt: skip


def _lapse_reason(certificate) -> tuple[str, str]:
    """(the audited reason, the conditions), in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "kind": certificate.get_kind_display(),
            "number": certificate.number,
            "date": certificate.valid_until.isoformat(),
        }
        reason = gettext_now(
            "%(kind)s %(number)s expired on %(date)s; the supplier has no other valid ISO "
            "13485 certificate or production licence."
        )
        conditions = gettext_now(
            "Send a valid ISO 13485 certificate or production licence (%(kind)s %(number)s "
            "expired on %(date)s); until then every delivery is checked as from a conditionally "
            "approved supplier."
        )
        return reason % names, conditions % names


@transaction.atomic
def _lapse(supplier_id: int, today: datetime.date) -> QualificationDecision | None:
    supplier = Supplier.objects.select_for_update().get(pk=supplier_id)
    if supplier.status != SupplierStatus.APPROVED:
        return None
    if readiness.required_certificate(supplier, today) is not None:
        return None
    certificate = readiness.last_required_certificate(supplier)
    if certificate is None:  # never had one (approved before the rule): nothing lapsed
        return None
    reason, conditions = _lapse_reason(certificate)
    due = today + datetime.timedelta(days=CERTIFICATE_RENEWAL_DAYS)
    decision = _decision(
        supplier, CERTIFICATE_LAPSED, SupplierStatus.CONDITIONAL,
        by=None, reason=reason, conditions=conditions, due=due,
    )  # fmt: skip
    before = [supplier.status, supplier.conditions, supplier.conditions_due_on]
    supplier.status = SupplierStatus.CONDITIONAL
    supplier.conditions, supplier.conditions_due_on = conditions, due
    supplier.save(update_fields=["status", "conditions", "conditions_due_on"])
    audit.record(
        AuditAction.TRANSITION,
        supplier,
        changes={
            "status": [before[0], supplier.status],
            "conditions": [before[1], conditions],
            "conditions_due_on": [before[2], due],
            "certificate": [None, f"{certificate.kind} {certificate.number}"],
        },
        reason=reason,
        actor_name=SYSTEM_ACTOR,
    )
    return decision


def lapse_expired_certificates(
    *, today: datetime.date | None = None, organization=None
) -> list[QualificationDecision]:
    """Make every approved supplier whose last ISO 13485 certificate or production licence has
    expired conditional (one transaction each); running it again changes nothing."""
    today = today or local_today()
    suppliers = readiness.with_required_certificate_end(
        Supplier.objects.filter(status=SupplierStatus.APPROVED)
    ).filter(certified_until__lt=today)
    if organization is not None:
        suppliers = suppliers.filter(organization=organization)
    decisions = []
    for supplier_id in suppliers.order_by("organization_id", "code").values_list("pk", flat=True):
        decision = _lapse(supplier_id, today)
        if decision is not None:
            decisions.append(decision)
    return decisions
