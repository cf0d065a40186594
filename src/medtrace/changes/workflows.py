"""A change request's lifecycle, declared once (medtrace.core.workflow): drafted, submitted by
its author's signature, approved by one signature per role of its kind, released (signed) to
take effect on its date, implemented, and closed once its tasks are done (signed); or returned,
rejected (signed) or cancelled."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.changes.choices import ChangeStatus as S
from medtrace.core.workflow import Transition, Workflow

CHANGE_PERM = "changes.change_changerequest"
APPROVE_PERM = "changes.approve_changerequest"

CHANGE = Workflow(
    S,
    [
        Transition(
            "submit", _("Submit for approval"), sources=[S.DRAFT], target=S.IN_REVIEW,
            permission=CHANGE_PERM, signature=SignatureMeaning.AUTHORED,
        ),
        # Taken once per required role; approved with the last (services.changes.approve).
        Transition(
            "approve", _("Approve"), sources=[S.IN_REVIEW], target=S.APPROVED,
            permission=APPROVE_PERM, signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "return_to_draft", _("Return to the author"), sources=[S.IN_REVIEW], target=S.DRAFT,
            permission=APPROVE_PERM, needs_reason=True,
        ),
        Transition(
            "reject", _("Reject"), sources=[S.IN_REVIEW], target=S.REJECTED,
            permission=APPROVE_PERM, signature=SignatureMeaning.REJECTED, needs_reason=True,
        ),
        # Implemented at once when its date has come, else on that date by the daily job.
        Transition(
            "release", _("Release"), sources=[S.APPROVED], target=S.SCHEDULED,
            permission=APPROVE_PERM, signature=SignatureMeaning.RELEASED,
        ),
        Transition(
            "close", _("Close"), sources=[S.IMPLEMENTED], target=S.CLOSED,
            permission=APPROVE_PERM, signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel", _("Cancel"), sources=[S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SCHEDULED],
            target=S.CANCELLED, permission=CHANGE_PERM, needs_reason=True,
        ),
    ],
)  # fmt: skip
