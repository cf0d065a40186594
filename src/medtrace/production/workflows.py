"""The lifecycle of a work order (medtrace.core.workflow): planned, released to the floor, in
progress from the first operation, consumption or output, completed by the supervisor once
everything is recorded, closed when QA releases its lot by signature. Cancelled only before any
work was recorded."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow

from .choices import WorkOrderStatus

WORK_ORDER = Workflow(
    WorkOrderStatus,
    [
        Transition(
            "release",
            _("Release"),
            sources=[WorkOrderStatus.PLANNED],
            target=WorkOrderStatus.RELEASED,
            permission="production.release_workorder",
        ),
        Transition(
            "complete",
            _("Complete"),
            sources=[WorkOrderStatus.IN_PROGRESS],
            target=WorkOrderStatus.COMPLETED,
            permission="production.complete_workorder",
        ),
        Transition(
            "release_lot",
            _("Release the lot"),
            sources=[WorkOrderStatus.COMPLETED],
            target=WorkOrderStatus.CLOSED,
            permission="production.release_lot",
            signature=SignatureMeaning.RELEASED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED],
            target=WorkOrderStatus.CANCELLED,
            permission="production.cancel_workorder",
            needs_reason=True,
        ),
    ],
)
