"""Machine states: record what a machine is doing from a moment on, and read its timeline.

Reports may come late and out of order (a machine buffering through a network outage): each
is placed by its own time, and the current state is the one with the latest time, not the
latest to arrive. A report with a `client_id` already recorded for the machine answers the
first recording, so a retry never records twice."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment.choices import EquipmentStatus, MachineState, StateSource
from medtrace.equipment.models import Equipment, MachineStateChange
from medtrace.org import access

PERMISSION = "equipment.add_machinestatechange"
CLIENT_ID_LENGTH = 64
# A machine's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


@transaction.atomic
def record_state(
    equipment: Equipment,
    *,
    state: str,
    by,
    at: datetime | None = None,
    reason: str = "",
    client_id: str = "",
    source: str = StateSource.MANUAL,
) -> MachineStateChange:
    """Record that `equipment` is in `state` from `at` (default now)."""
    if not access.permits(by, PERMISSION, equipment):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow recording machine states at %(site)s.")
            % {"site": equipment.site.code},
        )
    client_id = (client_id or "").strip()
    if len(client_id) > CLIENT_ID_LENGTH:
        _refuse(ErrorCode.VALIDATION, _("A client ID has at most 64 characters."), "client_id")
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    if client_id:
        earlier = equipment.state_changes.filter(client_id=client_id).first()
        if earlier is not None:
            return earlier
    if state not in MachineState.values:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(state)s is not a machine state; use one of %(states)s.")
            % {"state": state, "states": ", ".join(MachineState.values)},
            "state",
        )
    if equipment.status == EquipmentStatus.RETIRED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Equipment %(code)s is retired; it reports no states.") % {"code": equipment.code},
        )
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        _refuse(ErrorCode.VALIDATION, _("Give the time with its time zone."), "at")
    if at > now + CLOCK_SKEW:
        _refuse(
            ErrorCode.VALIDATION,
            _("The state's time %(at)s lies in the future.")
            % {"at": timezone.localtime(at).isoformat(timespec="seconds")},
            "at",
        )
    change = MachineStateChange.objects.create(
        organization_id=equipment.organization_id,
        site_id=equipment.site_id,
        equipment=equipment,
        state=state,
        at=at,
        reason=reason.strip()[:200],
        source=source,
        client_id=client_id,
        recorded_by=by,
    )
    audit.record(AuditAction.CREATE, change, by=by, changes=audit.created(change))
    return change


@dataclass(frozen=True)
class Span:
    state: str
    start: datetime
    end: datetime | None  # None: still in this state

    @property
    def label(self) -> str:
        return MachineState(self.state).label

    def seconds(self, until: datetime) -> float:
        return ((self.end or until) - self.start).total_seconds()


def current_state(equipment: Equipment) -> MachineStateChange | None:
    return equipment.state_changes.order_by("-at", "-pk").first()


def timeline(equipment: Equipment, *, since: datetime, until: datetime) -> list[Span]:
    """The machine's states between `since` and `until`, each from its change to the next,
    in time order; the state it was in at `since` starts the list."""
    before = equipment.state_changes.filter(at__lte=since).order_by("-at", "-pk").first()
    changes = list(equipment.state_changes.filter(at__gt=since, at__lte=until).order_by("at", "pk"))
    points = ([(since, before.state)] if before else []) + [(c.at, c.state) for c in changes]
    spans = []
    for index, (start, state) in enumerate(points):
        end = points[index + 1][0] if index + 1 < len(points) else None
        spans.append(Span(state=state, start=start, end=end))
    return spans


def shares(spans: list[Span], *, until: datetime) -> list[tuple[str, str, float]]:
    """(state, label, share of the reported time) per state, largest first."""
    totals: dict[str, float] = {}
    for span in spans:
        totals[span.state] = totals.get(span.state, 0) + span.seconds(until)
    reported = sum(totals.values())
    if not reported:
        return []
    return sorted(
        (
            (state, MachineState(state).label, seconds / reported)
            for state, seconds in totals.items()
        ),
        key=lambda row: -row[2],
    )
