"""Machine states of one equipment over the REST API (under /api/v1/equipment): its timeline
and state now, and a state recorded by hand. Machines and MES post in batches to
/api/v1/integration/machine-data instead."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, error_responses, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import selectors
from medtrace.equipment.choices import MachineState, StateSource
from medtrace.equipment.services import states

router = Router(tags=["equipment"])
LONGEST = timedelta(days=92)


class StateIn(Schema):
    state: MachineState
    at: datetime | None = Field(None, description="Since when, with its zone (default: now)")
    reason: str = ""


class StateChangeOut(Schema):
    id: int
    state: MachineState
    at: datetime
    reason: str
    source: StateSource
    client_id: str
    recorded_by: str = Field(..., alias="recorded_by.username")
    recorded_at: datetime


class SpanOut(Schema):
    state: MachineState
    start: datetime
    end: datetime | None


class ShareOut(Schema):
    state: MachineState
    share: float = Field(..., description="Share of the reported time in the window, 0 to 1")


class TimelineOut(Schema):
    current: StateChangeOut | None
    spans: list[SpanOut]
    shares: list[ShareOut]


class WindowQuery(Schema):
    since: datetime | None = Field(None, description="Default: 7 days before `until`")
    until: datetime | None = Field(None, description="Default: now")


@router.get("/{int:pk}/states", response={200: TimelineOut, **READ_ERRORS, **error_responses(422)})
def state_timeline(request, pk: int, window: Query[WindowQuery]):
    """The machine's states in the window (at most 92 days), each from its change to the
    next, with each state's share of the time."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    until = window.until or timezone.now()
    since = window.since or until - timedelta(days=7)
    if not timedelta(0) < until - since <= LONGEST:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("since must come before until, at most 92 days before it."),
            fields={"since": [_("Out of range.")]},
        )
    spans = states.timeline(equipment, since=since, until=until)
    return {
        "current": states.current_state(equipment),
        "spans": spans,
        "shares": [
            {"state": state, "share": round(share, 4)}
            for state, _label, share in states.shares(spans, until=until)
        ],
    }


@router.post("/{int:pk}/states", response={201: StateChangeOut, **WRITE_ERRORS})
def record_state(request, pk: int, payload: StateIn):
    """Record the machine's state by hand (a breakdown, a set-up)."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, states.PERMISSION, equipment)
    change = states.record_state(
        equipment, state=payload.state, at=payload.at, reason=payload.reason, by=request.user
    )
    return Status(201, change)
