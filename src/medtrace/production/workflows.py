"""The lifecycle of a work order (medtrace.core.workflow). This slice releases and cancels;
starting, completing and closing come with the operations."""

from django.utils.translation import gettext_lazy as _

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
            "cancel",
            _("Cancel"),
            sources=[WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED],
            target=WorkOrderStatus.CANCELLED,
            permission="production.cancel_workorder",
            needs_reason=True,
        ),
    ],
)
