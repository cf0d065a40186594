"""What a supplier's approval still needs: the gaps in its evaluation (the questionnaire, the
risk class, the conclusion), for a critical supplier a recent audit without an open major
finding (no open major finding whatever the risk class), and a valid ISO 13485 certificate or
production licence. Each gap is a sentence
naming the missing piece; the lifecycle refuses an approval with them, and the pages show
them before anyone tries."""

import datetime

from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from medtrace.partners.choices import (
    AUDIT_VALID_FOR,
    REQUIRED_CERTIFICATES,
    AuditStatus,
    FindingClass,
    FindingStatus,
    RiskClass,
)
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import (
    AuditFinding,
    Supplier,
    SupplierAudit,
    SupplierCertificate,
    SupplierEvaluation,
)


def current_evaluation(supplier: Supplier) -> SupplierEvaluation | None:
    """The open evaluation, else the one that led to the supplier's present status."""
    return (
        SupplierEvaluation.objects.filter(supplier=supplier)
        .prefetch_related("answers")
        .order_by("-opened_at", "-pk")
        .first()
    )


def required_certificate(
    supplier: Supplier, on: datetime.date | None = None
) -> SupplierCertificate | None:
    """The supplier's ISO 13485 certificate or production licence valid on `on` (today) that
    runs longest; None when there is none."""
    on = on or local_today()
    return (
        SupplierCertificate.objects.filter(
            supplier=supplier, kind__in=REQUIRED_CERTIFICATES, valid_until__gte=on
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .order_by("-valid_until", "-pk")
        .first()
    )


def last_required_certificate(supplier: Supplier) -> SupplierCertificate | None:
    """The required certificate that ends last, valid or not."""
    return (
        SupplierCertificate.objects.filter(supplier=supplier, kind__in=REQUIRED_CERTIFICATES)
        .order_by("-valid_until", "-pk")
        .first()
    )


def with_required_certificate_end(suppliers):
    """Annotate `certified_until`: when the last of each supplier's required certificates
    ends (None without any)."""
    return suppliers.annotate(
        certified_until=Max(
            "certificates__valid_until",
            filter=Q(certificates__kind__in=REQUIRED_CERTIFICATES),
        )
    )


def recent_audits(supplier: Supplier, on: datetime.date | None = None):
    """The supplier's audits concluded within AUDIT_VALID_FOR of `on`, latest first."""
    on = on or local_today()
    return SupplierAudit.objects.filter(
        supplier=supplier, status=AuditStatus.COMPLETED, performed_on__gte=on - AUDIT_VALID_FOR
    ).order_by("-performed_on", "-pk")


def open_major_findings(supplier: Supplier):
    return (
        AuditFinding.objects.filter(
            audit__supplier=supplier,
            classification=FindingClass.MAJOR,
            status=FindingStatus.OPEN,
        )
        .exclude(audit__status=AuditStatus.CANCELLED)
        .select_related("audit")
        .order_by("audit__planned_on", "sequence")
    )


def evaluation_gaps(supplier: Supplier, evaluation: SupplierEvaluation | None) -> list[str]:
    """What the evaluation itself lacks: needed for any approval, conditional or not."""
    if evaluation is None:
        return [str(_("Supplier %(code)s has not been evaluated.") % {"code": supplier.code})]
    gaps = []
    unanswered = evaluation.unanswered()
    if unanswered:
        gaps.append(
            str(
                _("%(count)s questions of %(number)s are not answered: %(questions)s.")
                % {
                    "count": len(unanswered),
                    "number": evaluation.number,
                    "questions": "; ".join(str(question.text) for question in unanswered),
                }
            )
        )
    if not evaluation.risk_class:
        gaps.append(
            str(_("The risk class of %(number)s is not set.") % {"number": evaluation.number})
        )
    if not evaluation.conclusion.strip():
        gaps.append(str(_("%(number)s has no conclusion.") % {"number": evaluation.number}))
    return gaps


def approval_gaps(
    supplier: Supplier,
    evaluation: SupplierEvaluation | None = None,
    on: datetime.date | None = None,
) -> list[str]:
    """Everything an unconditional approval still needs, each named; [] when it may be given.
    `evaluation` defaults to the supplier's current one."""
    on = on or local_today()
    if evaluation is None:
        evaluation = current_evaluation(supplier)
    gaps = evaluation_gaps(supplier, evaluation)
    critical = evaluation is not None and evaluation.risk_class == RiskClass.CRITICAL
    if critical and not recent_audits(supplier, on).exists():
        gaps.append(
            str(
                _(
                    "%(code)s is a critical supplier: it needs an audit concluded in the "
                    "last three years."
                )
                % {"code": supplier.code}
            )
        )
    # Whatever the risk class: an open major finding is an unresolved serious problem.
    for finding in open_major_findings(supplier):
        gaps.append(
            str(_("Major finding %(finding)s is still open.") % {"finding": finding.reference})
        )
    if required_certificate(supplier, on) is None:
        gaps.append(
            str(
                _("Supplier %(code)s has no valid ISO 13485 certificate or production licence.")
                % {"code": supplier.code}
            )
        )
    return gaps
