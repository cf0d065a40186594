"""The supplier qualification lifecycle and the supplier audit's, declared once
(medtrace.core.workflow; docs/decisions/0009-supplier-qualification.md).

    prospective ──start_evaluation──▶ under evaluation ──approve──────────────▶ approved
                                        │  ▲        └──approve_conditionally──▶ conditional
                                        │  └──requalify── approved / conditional
                                        │  └──reevaluate── disqualified
    conditional ──lift_conditions──▶ approved
    approved ──(nightly: the last required certificate expired)──▶ conditional
    any state but disqualified ──disqualify──▶ disqualified

Purchasing and QA conduct evaluations (partners.evaluate_supplier); only a QA manager
approves, approves conditionally, lifts the conditions and disqualifies, each by an electronic
signature (meaning approved) on the decision it records. Entering "under evaluation" opens an
evaluation; leaving it closes the evaluation with the decision."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.partners.choices import AuditStatus, SupplierStatus

EVALUATE = "partners.evaluate_supplier"
APPROVE = "partners.approve_supplier"
AUDIT = "partners.change_supplieraudit"

SUPPLIER = Workflow(
    SupplierStatus,
    [
        Transition(
            "start_evaluation",
            _("Start the evaluation"),
            sources=[SupplierStatus.PROSPECTIVE],
            target=SupplierStatus.UNDER_EVALUATION,
            permission=EVALUATE,
        ),
        Transition(
            "approve",
            _("Approve"),
            sources=[SupplierStatus.UNDER_EVALUATION],
            target=SupplierStatus.APPROVED,
            permission=APPROVE,
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "approve_conditionally",
            _("Approve with conditions"),
            sources=[SupplierStatus.UNDER_EVALUATION],
            target=SupplierStatus.CONDITIONAL,
            permission=APPROVE,
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "lift_conditions",
            _("Approve: conditions met"),
            sources=[SupplierStatus.CONDITIONAL],
            target=SupplierStatus.APPROVED,
            permission=APPROVE,
            signature=SignatureMeaning.APPROVED,
            needs_reason=True,
        ),
        Transition(
            "requalify",
            _("Requalify"),
            sources=[SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL],
            target=SupplierStatus.UNDER_EVALUATION,
            permission=EVALUATE,
            needs_reason=True,
        ),
        Transition(
            "reevaluate",
            _("Evaluate again"),
            sources=[SupplierStatus.DISQUALIFIED],
            target=SupplierStatus.UNDER_EVALUATION,
            permission=EVALUATE,
            needs_reason=True,
        ),
        Transition(
            "disqualify",
            _("Disqualify"),
            sources=[
                SupplierStatus.PROSPECTIVE,
                SupplierStatus.UNDER_EVALUATION,
                SupplierStatus.APPROVED,
                SupplierStatus.CONDITIONAL,
            ],
            target=SupplierStatus.DISQUALIFIED,
            permission=APPROVE,
            signature=SignatureMeaning.APPROVED,
            needs_reason=True,
        ),
    ],
)

# Taken by the system only (the nightly certificate check), never offered to a user.
CERTIFICATE_LAPSED = "certificate_lapsed"
SYSTEM_ACTIONS = {
    CERTIFICATE_LAPSED: (
        _("Required certificate expired"),
        SupplierStatus.APPROVED,
        SupplierStatus.CONDITIONAL,
    ),
}

SUPPLIER_AUDIT = Workflow(
    AuditStatus,
    [
        Transition(
            "conclude",
            _("Conclude and sign"),
            sources=[AuditStatus.PLANNED],
            target=AuditStatus.COMPLETED,
            permission=AUDIT,
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[AuditStatus.PLANNED],
            target=AuditStatus.CANCELLED,
            permission=AUDIT,
            needs_reason=True,
        ),
    ],
)


def action_label(name: str):
    if name in SYSTEM_ACTIONS:
        return SYSTEM_ACTIONS[name][0]
    transition = SUPPLIER.transitions.get(name)
    return transition.label if transition else name
