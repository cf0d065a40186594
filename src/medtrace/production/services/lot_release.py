"""Completing an order and QA's release of its lot.

The supervisor completes the order once every operation is done and output is recorded. QA
then releases the lot by electronic signature (meaning: released), which closes the order, and
only when the device history record is complete: every operation done, output recorded, every
traced component consumed within its BOM tolerance for what was made, every in-process
inspection completed and accepted, no deviation open on the lot and no nonconformance without
its disposition, every label printed either used or destroyed. A refusal lists everything
missing. The releaser may not be anyone who made or inspected the lot (segregation of duties).

The release is a trace event: the lot (and its units) become available, and, when QA names a
stock location, are moved there from the line by the same event."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.production.choices import OperationStatus, ReadingSource
from medtrace.production.models import WorkOrder
from medtrace.production.workflows import WORK_ORDER
from medtrace.quality.choices import InspectionStatus, InspectionVerdict, NcrStatus
from medtrace.quality.models import InspectionRecord, Nonconformance
from medtrace.quality.services.deviation import blocking_release

from . import consumption, operations, outputs
from .common import named_event_id, order_transaction, refuse

RELEASE_STEP = "inspecting"
RELEASED = "available"
ACCEPTED = (InspectionVerdict.ACCEPTED, InspectionVerdict.ACCEPTED_REINSTATE_NORMAL)
UNDECIDED_NCR = (NcrStatus.OPEN, NcrStatus.UNDER_REVIEW)


def _operations_missing(order: WorkOrder) -> list[str]:
    return [
        str(
            _("Operation %(operation)s is %(status)s.")
            % {"operation": f"{op.position} {op.name}", "status": op.get_status_display()}
        )
        for op in order.operations.exclude(status=OperationStatus.DONE).order_by("position")
    ]


def missing_to_complete(order: WorkOrder) -> list[str]:
    found = _operations_missing(order)
    if outputs.made_quantity(order) == 0:
        found.append(str(_("No output is recorded.")))
    return found


def _consumption_missing(order: WorkOrder) -> list[str]:
    made = outputs.made_quantity(order)
    found = []
    if made == 0:
        return found
    for line in order.required(made):
        if not line["trace_required"]:
            continue
        least = line["required"] * (1 - Decimal(line["tolerance_percent"]) / 100)
        used = consumption.consumed_of(order, line["component"])
        if used < least:
            found.append(
                str(
                    _(
                        "%(component)s: %(used)s %(uom)s consumed; %(made)s made need at least "
                        "%(least)s."
                    )
                    % {
                        "component": line["component"],
                        "used": plain(used),
                        "uom": line["unit"],
                        "made": plain(made),
                        "least": plain(least.normalize()),
                    }
                )
            )
    return found


def _inspections_missing(order: WorkOrder) -> list[str]:
    found = []
    for operation in order.operations.exclude(inspection_plan="").order_by("position"):
        record = operations.inspection_of(operation)
        if record is None:
            found.append(
                str(
                    _("In-process inspection %(plan)s (operation %(operation)s) was not done.")
                    % {"plan": operation.inspection_plan, "operation": operation.name}
                )
            )
    for record in InspectionRecord.objects.filter(lot_id=order.lot_id).exclude(
        status=InspectionStatus.CANCELLED
    ):
        if record.status != InspectionStatus.COMPLETED:
            found.append(
                str(
                    _("Inspection %(record)s is %(status)s.")
                    % {"record": record.number, "status": record.get_status_display()}
                )
            )
        elif record.verdict not in ACCEPTED:
            found.append(
                str(_("Inspection %(record)s rejected the lot.") % {"record": record.number})
            )
    return found


def _quality_records_open(order: WorkOrder) -> list[str]:
    found = [
        str(
            _("Deviation %(number)s on the lot is %(status)s.")
            % {"number": deviation.number, "status": deviation.get_status_display()}
        )
        for deviation in blocking_release(order.lot)
    ]
    found += [
        str(_("Nonconformance %(number)s has no disposition.") % {"number": ncr.number})
        for ncr in Nonconformance.objects.filter(lot=order.lot, status__in=UNDECIDED_NCR)
    ]
    return found


def labelled_identifiers(order: WorkOrder):
    """The item's device identifiers whose labels production prints (active ones)."""
    return DeviceIdentifier.objects.filter(item=order.item, is_active=True).order_by(
        "packaging_level", "value"
    )


def _labels_missing(order: WorkOrder) -> list[str]:
    found = []
    printed = {row.identifier_id: row for row in order.labels.select_related("identifier")}
    for identifier in labelled_identifiers(order):
        row = printed.get(identifier.pk)
        if row is None or row.printed == 0:
            found.append(
                str(
                    _("No %(level)s label (%(di)s) was printed.")
                    % {"level": identifier.get_packaging_level_display(), "di": identifier.value}
                )
            )
    for row in printed.values():
        if not row.reconciled:
            found.append(
                str(
                    _(
                        "Labels %(di)s: %(printed)s printed, %(used)s used, %(destroyed)s "
                        "destroyed; %(missing)s not accounted for."
                    )
                    % {
                        "di": row.identifier.value,
                        "printed": row.printed,
                        "used": row.used,
                        "destroyed": row.destroyed,
                        "missing": row.unaccounted,
                    }
                )
            )
    return found


def blockers(order: WorkOrder) -> list[str]:
    """Everything that keeps QA from releasing the order's lot (empty: nothing)."""
    if order.lot_id is None:
        return [str(_("%(order)s was never released.") % {"order": order.number})]
    return [
        *missing_to_complete(order),
        *_consumption_missing(order),
        *_inspections_missing(order),
        *_quality_records_open(order),
        *_labels_missing(order),
    ]


def participants(order: WorkOrder) -> dict[int, str]:
    """Who made or inspected the lot, each with what they did: none of them may release it."""
    found = {}

    def note(user_id, what):
        if user_id is not None:
            found.setdefault(user_id, str(what))

    for op in order.operations.all():
        note(op.started_by_id, _("started operation %(name)s") % {"name": op.name})
        note(op.finished_by_id, _("finished operation %(name)s") % {"name": op.name})
        for reading in op.readings.filter(source=ReadingSource.MANUAL):
            note(reading.recorded_by_id, _("recorded %(name)s") % {"name": reading.parameter})
    for row in order.consumptions.all():
        note(row.consumed_by_id, _("consumed components"))
    for row in order.outputs.all():
        note(row.recorded_by_id, _("recorded output"))
    for record in InspectionRecord.objects.filter(lot_id=order.lot_id):
        note(record.inspector_id, _("inspected it (%(record)s)") % {"record": record.number})
    return found


def complete(order: WorkOrder, *, by) -> WorkOrder:
    def guard(record):
        missing = missing_to_complete(record)
        if missing:
            refuse(" ".join(missing), code=ErrorCode.INVALID_STATE, missing=missing)

    def effects(record):
        record.completed_at, record.completed_by = timezone.now(), by
        return {"made": [None, plain(outputs.made_quantity(record))]}

    return WORK_ORDER.take(order, "complete", by=by, guard=guard, effects=effects)


def _check_location(order: WorkOrder, location: Location | None) -> None:
    if location is not None and (
        location.site_id != order.site_id or location.kind != LocationKind.STOCK
    ):
        refuse(
            _("%(location)s is not a stock location of site %(site)s.")
            % {"location": location.path, "site": order.site.code},
            "location",
        )


def release_lot(
    order: WorkOrder, *, by, password: str, reason: str = "", location: Location | None = None
) -> WorkOrder:
    """QA's signed release of the order's lot; with `location` the lot is put away there."""

    def guard(record):
        missing = blockers(record)
        if missing:
            refuse(" ".join(missing), code=ErrorCode.INVALID_STATE, missing=missing)
        did = participants(record).get(by.pk)
        if did is not None:
            refuse(
                _("You %(did)s on %(order)s: the lot is released by someone who neither made "
                  "nor inspected it.")
                % {"did": did, "order": record.number},
                code=ErrorCode.PERMISSION_DENIED,
                cause="segregation_of_duties",
            )  # fmt: skip
        _check_location(record, location)

    def effects(record):
        text = str(_("Released by QA: %(order)s") % {"order": record.number})
        text = f"{text}. {reason.strip()}" if reason.strip() else text
        if location is not None:
            event = moves.move(
                site=record.site,
                lines=[moves.Line(record.lot, None)],
                operation=Operation.TRANSFER,
                biz_step=RELEASE_STEP,
                disposition=RELEASED,
                source=record.line,
                destination=location,
                biz_transactions=order_transaction(record),
                by=by,
                reason=text,
                key=f"wo-{record.pk}-release",
            )
        else:
            event = _status_event(record, text, by)
        record.lot_release_event = event
        record.lot_released_at, record.lot_released_by = timezone.now(), by
        audit.record(
            AuditAction.TRANSITION,
            record.lot,
            by=by,
            changes={"released": [None, record.number], "event": [None, event.event_id]},
            reason=text,
        )
        return {
            "lot_release_event": [None, event.event_id],
            "location": [None, location.path if location is not None else None],
        }

    return WORK_ORDER.take(
        order, "release_lot", by=by, password=password, reason=reason, guard=guard,
        effects=effects,
    )  # fmt: skip


def _status_event(order: WorkOrder, reason: str, by):
    return moves.set_status(
        site=order.site,
        objects=[order.lot, *order.lot.units.all()],
        biz_step=RELEASE_STEP,
        disposition=RELEASED,
        by=by,
        reason=reason,
        event_id=named_event_id(order, "release"),
        read_point=order.line,
        biz_transactions=order_transaction(order),
    )
