"""The lifecycles of quality records, declared once (medtrace.core.workflow)."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.quality.choices import InspectionStatus, NcrStatus

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
