"""The lifecycles of quality records, declared once (medtrace.core.workflow)."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.quality.choices import (
    CapaStatus,
    ComplaintStatus,
    DeviationStatus,
    InspectionStatus,
    NcrStatus,
)

NCR = Workflow(
    NcrStatus,
    [
        Transition(
            "start_review",
            _("Start MRB review"),
            sources=[NcrStatus.OPEN],
            target=NcrStatus.UNDER_REVIEW,
            permission="quality.review_nonconformance",
        ),
        Transition(
            "approve_dispositions",
            _("Approve dispositions"),
            sources=[NcrStatus.UNDER_REVIEW],
            target=NcrStatus.DISPOSITIONED,
            permission="quality.approve_nonconformance",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "close",
            _("Close"),
            sources=[NcrStatus.DISPOSITIONED],
            target=NcrStatus.CLOSED,
            permission="quality.approve_nonconformance",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[NcrStatus.OPEN, NcrStatus.UNDER_REVIEW],
            target=NcrStatus.CANCELLED,
            permission="quality.approve_nonconformance",
            needs_reason=True,
        ),
    ],
)

INSPECTION = Workflow(
    InspectionStatus,
    [
        Transition(
            "complete",
            _("Complete and sign"),
            sources=[InspectionStatus.IN_PROGRESS],
            target=InspectionStatus.COMPLETED,
            permission="quality.add_inspectionrecord",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[InspectionStatus.IN_PROGRESS],
            target=InspectionStatus.CANCELLED,
            permission="quality.change_inspectionrecord",
            needs_reason=True,
        ),
    ],
)

DEVIATION = Workflow(
    DeviationStatus,
    [
        Transition(
            "approve",
            _("Approve"),
            sources=[DeviationStatus.OPEN],
            target=DeviationStatus.APPROVED,
            permission="quality.approve_deviation",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "close",
            _("Close"),
            sources=[DeviationStatus.APPROVED],
            target=DeviationStatus.CLOSED,
            permission="quality.approve_deviation",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[DeviationStatus.OPEN],
            target=DeviationStatus.CANCELLED,
            permission="quality.approve_deviation",
            needs_reason=True,
        ),
    ],
)

CAPA = Workflow(
    CapaStatus,
    [
        Transition(
            "start_implementation",
            _("Start implementing"),
            sources=[CapaStatus.OPEN],
            target=CapaStatus.IMPLEMENTING,
            permission="quality.change_capa",
        ),
        Transition(
            "verify_implementation",
            _("Verify implementation"),
            sources=[CapaStatus.IMPLEMENTING],
            target=CapaStatus.EFFECTIVENESS_CHECK,
            permission="quality.approve_capa",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "reopen",
            _("Reopen: not effective"),
            sources=[CapaStatus.EFFECTIVENESS_CHECK],
            target=CapaStatus.IMPLEMENTING,
            permission="quality.change_capa",
            needs_reason=True,
        ),
        Transition(
            "close",
            _("Close"),
            sources=[CapaStatus.EFFECTIVENESS_CHECK],
            target=CapaStatus.CLOSED,
            permission="quality.approve_capa",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[CapaStatus.OPEN, CapaStatus.IMPLEMENTING],
            target=CapaStatus.CANCELLED,
            permission="quality.approve_capa",
            needs_reason=True,
        ),
    ],
)

# A complaint is received, investigated, its reportability decided (the decision recorded, then
# approved by signature) and closed (signed as verified: reports made, complainant answered).
# New facts after the decision reopen the investigation.
COMPLAINT = Workflow(
    ComplaintStatus,
    [
        Transition(
            "start_investigation",
            _("Start the investigation"),
            sources=[ComplaintStatus.RECEIVED],
            target=ComplaintStatus.INVESTIGATING,
            permission="quality.change_complaint",
        ),
        Transition(
            "approve_decision",
            _("Approve the reportability decision"),
            sources=[ComplaintStatus.INVESTIGATING],
            target=ComplaintStatus.DECIDED,
            permission="quality.approve_complaint",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "reopen",
            _("Reopen the investigation"),
            sources=[ComplaintStatus.DECIDED],
            target=ComplaintStatus.INVESTIGATING,
            permission="quality.approve_complaint",
            needs_reason=True,
        ),
        Transition(
            "close",
            _("Close"),
            sources=[ComplaintStatus.DECIDED],
            target=ComplaintStatus.CLOSED,
            permission="quality.approve_complaint",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING],
            target=ComplaintStatus.CANCELLED,
            permission="quality.approve_complaint",
            needs_reason=True,
        ),
    ],
)
