"""The lifecycle of a cycle count (medtrace.core.workflow): posted by the counter when every
difference is small, or approved and posted under an approver's signature when one is not."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow

from .choices import CountStatus

COUNT = Workflow(
    CountStatus,
    [
        Transition(
            "post",
            _("Post the adjustments"),
            sources=[CountStatus.OPEN],
            target=CountStatus.POSTED,
            permission="inventory.add_cyclecount",
        ),
        Transition(
            "approve",
            _("Approve and post"),
            sources=[CountStatus.OPEN],
            target=CountStatus.POSTED,
            permission="inventory.approve_cyclecount",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[CountStatus.OPEN],
            target=CountStatus.CANCELLED,
            permission="inventory.add_cyclecount",
            needs_reason=True,
        ),
    ],
)
