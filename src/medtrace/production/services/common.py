"""What every production service shares: the refusal, the order locked for a write, the
permission to work on the floor, and events stamped in the site's time zone."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import TypedId
from medtrace.inventory.services.moves import CLOCK_SKEW_SECONDS
from medtrace.org import access
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.models import WorkOrder

EXECUTE = "production.execute_workorder"
# A released order is worked on; the first operation, consumption or output starts it.
WORKING = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)


def refuse(message, field: str | None = None, code=ErrorCode.VALIDATION, **details):
    if field:
        details["fields"] = {field: [str(message)]}
    raise DomainError(code, message, **details)


def locked(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("site__organization", "item", "lot", "line__site", "routing")
        .get(pk=order.pk)
    )


def require_executor(order: WorkOrder, by) -> None:
    if not access.permits(by, EXECUTE, order):
        refuse(
            _("Your roles do not allow working on %(order)s at %(site)s.")
            % {"order": order.number, "site": order.site.code},
            code=ErrorCode.PERMISSION_DENIED,
        )


def require_working(order: WorkOrder) -> None:
    if order.status not in WORKING:
        refuse(
            _("%(order)s is %(status)s; the floor works on released orders in progress.")
            % {"order": order.number, "status": order.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )


def start_if_released(order: WorkOrder, when: datetime) -> dict:
    """The first work on a released order puts it in progress (the order is locked)."""
    if order.status != WorkOrderStatus.RELEASED:
        return {}
    order.status, order.started_at = WorkOrderStatus.IN_PROGRESS, when
    order.save(update_fields=["status", "started_at"])
    return {"status": [WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS]}


def when(at: datetime | None) -> datetime:
    """The time something happened on the floor: now, or a client's time not in the future."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        refuse(_("Give the time with its time zone."), "at")
    if at > now + timedelta(seconds=CLOCK_SKEW_SECONDS):
        refuse(_("The time given lies in the future."), "at")
    return at


def order_transaction(order: WorkOrder) -> tuple[TypedId, ...]:
    return (TypedId("prodorder", order.urn),)


def new_event_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def named_event_id(order: WorkOrder, what: str) -> str:
    """A stable event ID for something that happens once per order (its lot's hold by a
    deviation, its release): recording it twice is impossible."""
    name = f"urn:medtrace:{order.organization.slug}:wo:{order.number}:{what}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
