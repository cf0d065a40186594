"""Change control's choices: the kinds of change request, their lifecycle and whose approval
each kind needs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role


class ChangeKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    FAST_TRACK = "fast_track", _("Fast track (minor change)")


# One approval signature by a holder of each role, at the change's site.
APPROVERS = {
    ChangeKind.STANDARD: [Role.QA_MANAGER, Role.PRODUCTION_SUPERVISOR, Role.REGULATORY_AFFAIRS],
    ChangeKind.FAST_TRACK: [Role.QA_MANAGER],
}


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Released, effective on its date")
    IMPLEMENTED = "implemented", _("Implemented")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (
    ChangeStatus.DRAFT,
    ChangeStatus.IN_REVIEW,
    ChangeStatus.APPROVED,
    ChangeStatus.SCHEDULED,
)
