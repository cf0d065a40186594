"""Process-parameter readings, entered at the station or posted by machines: checked against
the limits of the order's routing snapshot. A value outside them opens an unplanned deviation
scoped to the order's lot, the operation and its equipment, and holds the lot (a CBV holding
event through the trace core), in the reading's own transaction: there is no out-of-limit
reading without its deviation and hold.

A machine names each reading with its own ID (`client_id`): the same ID posted again answers
the first recording, so a retry never records twice."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.equipment.models import Equipment
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.services import moves
from medtrace.inventory.statuses import status_of
from medtrace.production.choices import OperationStatus, ReadingSource
from medtrace.production.models import ParameterReading, WorkOrderOperation
from medtrace.quality.choices import DeviationKind
from medtrace.quality.services.deviation import open_deviation

from .common import (
    locked,
    named_event_id,
    order_transaction,
    refuse,
    require_executor,
    when,
)

READING_PLACES = 6
CLIENT_ID_LENGTH = 64
# CBV 2.0: a lot held for a quality decision (as a nonconformance holds one).
HOLD_STEP = "holding"
HOLD_DISPOSITION = "non_conformant"


def value_of(text) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        refuse(_("%(value)s is not a number.") % {"value": text}, "value")
    if -value.as_tuple().exponent > READING_PLACES or abs(value) >= Decimal(10) ** 12:
        refuse(
            _("A reading has at most 12 digits before and %(places)s after the decimal point.")
            % {"places": READING_PLACES},
            "value",
        )
    return value


def _limit(text) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def within(value: Decimal, spec: dict) -> bool:
    lower, upper = _limit(spec["lower_limit"]), _limit(spec["upper_limit"])
    return (lower is None or value >= lower) and (upper is None or value <= upper)


def spec_of(operation: WorkOrderOperation, name: str) -> dict:
    specs = operation.parameters()
    for spec in specs:
        if spec["name"] == name:
            return spec
    known = ", ".join(spec["name"] for spec in specs) or "—"
    refuse(
        _("Operation %(operation)s records no parameter “%(parameter)s” (it records: %(known)s).")
        % {"operation": operation.name, "parameter": name, "known": known},
        "parameter",
    )


def _check_time(operation: WorkOrderOperation, moment: datetime) -> None:
    if operation.status == OperationStatus.PENDING:
        refuse(
            _("Operation %(operation)s has not started; start it before recording readings.")
            % {"operation": operation.name},
            code=ErrorCode.INVALID_STATE,
        )
    if moment < operation.started_at or (
        operation.finished_at is not None and moment > operation.finished_at
    ):
        refuse(
            _("The reading's time lies outside operation %(operation)s (%(start)s to %(end)s).")
            % {
                "operation": operation.name,
                "start": timezone.localtime(operation.started_at).isoformat(timespec="seconds"),
                "end": timezone.localtime(operation.finished_at).isoformat(timespec="seconds")
                if operation.finished_at
                else "…",
            },
            "read_at",
        )


@transaction.atomic
def record(
    operation: WorkOrderOperation,
    *,
    parameter: str,
    value,
    by,
    unit: str = "",
    at: datetime | None = None,
    source: str = ReadingSource.MANUAL,
    client_id: str = "",
    equipment: Equipment | None = None,
) -> ParameterReading:
    """Record a reading of `parameter` during the operation (at `at`, default now; a machine's
    late reading may be given after the operation finished, within its time)."""
    order = locked(operation.work_order)
    operation = WorkOrderOperation.objects.select_for_update().get(pk=operation.pk)
    operation.work_order = order
    require_executor(order, by)
    client_id = client_id.strip()
    if len(client_id) > CLIENT_ID_LENGTH:
        refuse(_("A client ID has at most 64 characters."), "client_id")
    if client_id:
        earlier = operation.readings.filter(client_id=client_id).first()
        if earlier is not None:
            return earlier
    spec = spec_of(operation, parameter.strip())
    if unit.strip() and unit.strip() != spec["unit"]:
        refuse(
            _("%(parameter)s is recorded in %(expected)s, not %(given)s.")
            % {"parameter": spec["name"], "expected": spec["unit"], "given": unit.strip()},
            "unit",
        )
    number = value_of(value)
    moment = when(at)
    _check_time(operation, moment)
    if equipment is not None and equipment.site_id != order.site_id:
        refuse(
            _("%(equipment)s is not at site %(site)s.")
            % {"equipment": equipment.code, "site": order.site.code},
            "equipment",
        )
    reading = ParameterReading.objects.create(
        operation=operation,
        parameter=spec["name"],
        unit=spec["unit"],
        value=number,
        lower_limit=_limit(spec["lower_limit"]),
        target=_limit(spec["target"]),
        upper_limit=_limit(spec["upper_limit"]),
        within_limits=within(number, spec),
        read_at=moment,
        source=source,
        client_id=client_id,
        equipment=equipment or operation.equipment,
        recorded_by=by,
    )
    changes = audit.created(reading)
    if not reading.within_limits:
        reading.deviation = _deviate(order, operation, reading, by)
        reading.save(update_fields=["deviation"])
        changes["deviation"] = [None, reading.deviation.number]
    # A reading has no site of its own: its entry is the order's site's, like the order's.
    audit.record(AuditAction.CREATE, reading, by=by, changes=changes, site_id=order.site_id)
    return reading


def _limits_text(reading: ParameterReading) -> str:
    lower = plain(reading.lower_limit) if reading.lower_limit is not None else "-inf"
    upper = plain(reading.upper_limit) if reading.upper_limit is not None else "+inf"
    return f"[{lower}, {upper}] {reading.unit}"


def _deviate(order, operation: WorkOrderOperation, reading: ParameterReading, by):
    equipment = reading.equipment
    names = {
        "parameter": reading.parameter,
        "value": plain(reading.value),
        "unit": reading.unit,
        "limits": _limits_text(reading),
        "operation": operation.name,
        "order": order.number,
        "lot": order.lot.lot_number,
        "equipment": equipment.code if equipment else "—",
    }
    deviation = open_deviation(
        site=order.site,
        kind=DeviationKind.UNPLANNED,
        title=str(_("%(parameter)s out of limits at %(operation)s, %(order)s") % names)[:200],
        description=str(
            _(
                "%(parameter)s read %(value)s %(unit)s, outside its limits %(limits)s, at "
                "operation %(operation)s of work order %(order)s (lot %(lot)s, equipment "
                "%(equipment)s). Recorded automatically; the lot is on hold."
            )
            % names
        ),
        by=by,
        lots=[order.lot],
        equipment=equipment,
        operation=operation.name,
        window_start=reading.read_at,
    )
    hold_lot(order, reason=str(_("Held by %(deviation)s") % {"deviation": deviation.number}),
             by=by, key=f"hold:{deviation.number}")  # fmt: skip
    return deviation


def hold_lot(order, *, reason: str, by, key: str):
    """Hold the order's lot (and its units) unless it is on hold or rejected already."""
    lot = order.lot
    if status_of(lot).status in (StockStatus.ON_HOLD, StockStatus.REJECTED):
        return None
    return moves.set_status(
        site=order.site,
        objects=[lot, *lot.units.all()],
        biz_step=HOLD_STEP,
        disposition=HOLD_DISPOSITION,
        by=by,
        reason=reason,
        event_id=named_event_id(order, key),
        biz_transactions=order_transaction(order),
    )


@dataclass
class RowResult:
    """One row of a batch: recorded (or found already recorded), or refused with why."""

    index: int
    reading: ParameterReading | None = None
    error: DomainError | None = None


def record_batch(order, rows: list[dict], *, by) -> list[RowResult]:
    """Readings posted together (a machine, an MES): each row on its own, so one refused row
    (its message names the rule) does not lose the others. A row is
    {"operation": position, "parameter", "value", "unit", "read_at", "client_id",
    "equipment": Equipment or None}."""
    results = []
    operations = {each.position: each for each in order.operations.all()}
    for index, row in enumerate(rows):
        try:
            operation = operations.get(row["operation"])
            if operation is None:
                refuse(
                    _("%(order)s has no operation %(position)s.")
                    % {"order": order.number, "position": row["operation"]},
                    "operation",
                )
            reading = record(
                operation,
                parameter=row["parameter"],
                value=row["value"],
                unit=row.get("unit") or "",
                at=row.get("read_at"),
                source=ReadingSource.MACHINE,
                client_id=row.get("client_id") or "",
                equipment=row.get("equipment"),
                by=by,
            )
        except DomainError as error:
            results.append(RowResult(index, error=error))
        else:
            results.append(RowResult(index, reading=reading))
    return results
