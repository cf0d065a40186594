"""Machine and MES data in batches: process-parameter readings and machine states, named by
the equipment that produced them rather than by work order.

Each row is judged on its own and in its own transaction: one refused row (its message names
the rule) never loses the others. A reading goes to the operation that ran on its machine at
its time, however late it arrives; a state takes its place in the machine's timeline by its
own time. Rows carry the machine's own `client_id`, so a batch sent again after a lost answer
records nothing twice."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment.choices import StateSource
from medtrace.equipment.models import Equipment
from medtrace.equipment.services import states
from medtrace.production.choices import ReadingSource
from medtrace.production.models import WorkOrderOperation
from medtrace.production.services import readings

MAX_ROWS = 1000


@dataclass
class RowResult:
    index: int
    record: object | None = None
    error: DomainError | None = None


def _refuse(message, field: str, code: ErrorCode = ErrorCode.VALIDATION) -> DomainError:
    return DomainError(code, message, fields={field: [str(message)]})


class _Machines:
    """The site's equipment by code, looked up once per batch."""

    def __init__(self, site):
        self.site = site
        self.known: dict[str, Equipment | None] = {}

    def get(self, code) -> Equipment:
        code = str(code or "").strip().upper()
        if code not in self.known:
            self.known[code] = (
                Equipment.objects.select_related("site").filter(site=self.site, code=code).first()
            )
        found = self.known[code]
        if found is None:
            raise _refuse(
                _("Site %(site)s has no equipment %(code)s.")
                % {"site": self.site.code, "code": code or "—"},
                "equipment",
                ErrorCode.NOT_FOUND,
            )
        return found


def _moment(text, field: str) -> datetime | None:
    """A row's time: None when absent (now), refused when unreadable or without a zone."""
    if text in (None, ""):
        return None
    moment = text if isinstance(text, datetime) else parse_datetime(str(text).strip())
    if moment is None:
        raise _refuse(_("%(value)s is not a date and time.") % {"value": text}, field)
    if timezone.is_naive(moment):
        raise _refuse(_("Give the time with its time zone, e.g. +08:00."), field)
    return moment


def operation_on(equipment: Equipment, at: datetime) -> WorkOrderOperation:
    """The operation that ran on the machine at that moment (the latest started, if two
    overlapped), refused when none did."""
    found = (
        WorkOrderOperation.objects.filter(equipment=equipment, started_at__lte=at)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=at))
        .select_related("work_order")
        .order_by("-started_at", "-pk")
        .first()
    )
    if found is None:
        raise _refuse(
            _("No operation ran on %(equipment)s at %(at)s: post the reading to its work order.")
            % {
                "equipment": equipment.code,
                "at": timezone.localtime(at).isoformat(timespec="seconds"),
            },
            "read_at",
        )
    return found


def _reading(row: dict, machines: _Machines, by):
    equipment = machines.get(row.get("equipment"))
    at = _moment(row.get("read_at"), "read_at") or timezone.now()
    return readings.record(
        operation_on(equipment, at),
        parameter=str(row.get("parameter") or ""),
        value=row.get("value"),
        unit=str(row.get("unit") or ""),
        at=at,
        source=ReadingSource.MACHINE,
        client_id=str(row.get("client_id") or ""),
        equipment=equipment,
        by=by,
    )


def _state(row: dict, machines: _Machines, by):
    return states.record_state(
        machines.get(row.get("equipment")),
        state=str(row.get("state") or ""),
        at=_moment(row.get("at"), "at"),
        reason=str(row.get("reason") or ""),
        client_id=str(row.get("client_id") or ""),
        source=StateSource.MACHINE,
        by=by,
    )


def _each(rows: list[dict], record, machines: _Machines, by) -> list[RowResult]:
    results = []
    for index, row in enumerate(rows):
        try:
            results.append(RowResult(index, record=record(row, machines, by)))
        except DomainError as error:
            results.append(RowResult(index, error=error))
    return results


def record_machine_data(
    *, site, readings_rows: list[dict], state_rows: list[dict], by
) -> tuple[list[RowResult], list[RowResult]]:
    """Record a batch; returns the results of the readings and of the states, row by row.
    States go first, so a machine's report of "running" and its first readings may come in
    one batch."""
    if len(readings_rows) + len(state_rows) > MAX_ROWS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("A batch has at most %(max)s rows; send the rest in another.") % {"max": MAX_ROWS},
        )
    machines = _Machines(site)
    state_results = _each(state_rows, _state, machines, by)
    reading_results = _each(readings_rows, _reading, machines, by)
    return reading_results, state_results
