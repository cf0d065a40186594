"""The lifecycles of calibration records and impact reviews (medtrace.core.workflow)."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.equipment.choices import CalibrationStatus, ImpactReviewStatus

CALIBRATION = Workflow(
    CalibrationStatus,
    [
        Transition(
            "verify",
            _("Verify and sign"),
            sources=[CalibrationStatus.DRAFT],
            target=CalibrationStatus.VERIFIED,
            permission="equipment.verify_calibrationrecord",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[CalibrationStatus.DRAFT],
            target=CalibrationStatus.CANCELLED,
            permission="equipment.change_calibrationrecord",
            needs_reason=True,
        ),
    ],
)

IMPACT_REVIEW = Workflow(
    ImpactReviewStatus,
    [
        Transition(
            "conclude",
            _("Conclude the review"),
            sources=[ImpactReviewStatus.OPEN],
            target=ImpactReviewStatus.CONCLUDED,
            permission="equipment.conclude_impactreview",
            signature=SignatureMeaning.APPROVED,
        ),
    ],
)
