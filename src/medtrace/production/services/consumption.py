"""Consuming components by scan, against the order's BOM snapshot: the right item, available
(released, not expired, not held), at the order's line in the quantity scanned, within the BOM
line's tolerance (more needs a reason), and a serialized unit only once. Each consumption is a
TransformationEvent through the trace core: the component leaves the line's stock (the
ledger) and its genealogy link is written to what it went into: the order's lot, or, during an
operation the routing records per serial, the unit being built (never to every unit of the
lot unless each was built from it)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import Tracking
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.ledger import epcis_uom, location_uri
from medtrace.inventory.models import Stock
from medtrace.inventory.services import moves
from medtrace.inventory.statuses import status_of
from medtrace.production.models import Consumption, Output, WorkOrder
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, TraceObject, Unit
from medtrace.trace.services.recording import record_event

from . import operations
from .common import (
    locked,
    new_event_id,
    order_transaction,
    refuse,
    require_executor,
    require_working,
    start_if_released,
    when,
)

CONSUME_STEP = "assembling"  # CBV 2.0: parts combined into the product


@dataclass(frozen=True)
class Allowance:
    """How much of a BOM line the order may consume without a reason, and has consumed."""

    line: dict
    required: Decimal
    limit: Decimal
    consumed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.limit - self.consumed


def consumed_of(order: WorkOrder, component_code: str) -> Decimal:
    return order.consumptions.filter(
        component__code=component_code, returned_event__isnull=True
    ).aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def allowance(order: WorkOrder, component_code: str) -> Allowance | None:
    """The BOM line of the component with what the order needs (its full quantity), the
    most it may take within the line's tolerance, and what it consumed; None: not in the
    BOM."""
    for line in order.required():
        if line["component"] == component_code:
            tolerance = Decimal(line["tolerance_percent"]) / 100
            return Allowance(
                line=line,
                required=line["required"],
                limit=line["required"] * (1 + tolerance),
                consumed=consumed_of(order, component_code),
            )
    return None


def _component(order: WorkOrder, scanned: TraceObject) -> tuple[Lot | None, Unit | None]:
    if scanned.kind == ObjectKind.LOT:
        return Lot.objects.select_related("item").get(pk=scanned.pk), None
    if scanned.kind == ObjectKind.UNIT:
        unit = Unit.objects.select_related("item", "lot").get(pk=scanned.pk)
        return unit.lot, unit
    refuse(
        _("%(code)s is not a lot or a unit: scan the component's own label.")
        % {"code": scanned.identifier},
        "code",
    )


def _check_available(obj: TraceObject, name: str, site) -> None:
    info = status_of(obj, today=site.local_date())
    if info.status != StockStatus.AVAILABLE:
        refuse(
            _("%(what)s has status %(status)s; it cannot be consumed.")
            % {"what": name, "status": info.describe()},
            "code",
            ErrorCode.INVALID_STATE,
            status=str(info.status),
        )


def _at_line(order: WorkOrder, obj: TraceObject) -> Decimal:
    return Stock.objects.filter(location=order.line, object=obj).aggregate(total=Sum("quantity"))[
        "total"
    ] or Decimal(0)


@transaction.atomic
def consume(
    order: WorkOrder,
    *,
    scanned: TraceObject,
    by,
    quantity=None,
    reason: str = "",
    into_unit: Unit | None = None,
    at=None,
    key: str | None = None,
) -> Consumption:
    """Consume the scanned component lot (`quantity` of it) or unit into the order."""
    order = locked(order)
    earlier = moves.already_recorded(order.organization, key)
    if earlier is not None:
        return Consumption.objects.get(event=earlier)
    require_executor(order, by)
    require_working(order)
    if scanned.organization_id != order.organization_id:
        refuse(
            _("%(object)s is not known here.") % {"object": scanned}, "code", ErrorCode.NOT_FOUND
        )
    lot, unit = _component(order, scanned)
    item = unit.item if unit is not None else lot.item
    name = (
        str(_("Unit %(serial)s of %(item)s") % {"serial": unit.serial, "item": item.code})
        if unit is not None
        else str(_("Lot %(lot)s of %(item)s") % {"lot": lot.lot_number, "item": item.code})
    )
    limits = allowance(order, item.code)
    if limits is None:
        refuse(
            _("%(what)s is not a component of %(product)s (BOM version %(version)s).")
            % {"what": name, "product": order.item.code,
               "version": order.snapshot["bom"]["version"]},
            "code",
        )  # fmt: skip
    if unit is None and item.tracking == Tracking.SERIAL:
        refuse(
            _("%(item)s is serialized: scan each unit of lot %(lot)s.")
            % {"item": item.code, "lot": lot.lot_number},
            "code",
        )
    if unit is not None:
        if quantity not in (None, "") and moves.quantity(quantity) != 1:
            refuse(_("A unit is consumed whole: one at a time."), "quantity")
        number = Decimal(1)
        taken = Consumption.objects.filter(unit=unit, returned_event__isnull=True).first()
        if taken is not None:
            refuse(
                _("Unit %(serial)s was consumed already, by %(order)s.")
                % {"serial": unit.serial, "order": taken.work_order.number},
                "code",
                ErrorCode.CONFLICT,
            )
    else:
        if quantity in (None, ""):
            refuse(
                _("Enter the quantity of lot %(lot)s used.") % {"lot": lot.lot_number}, "quantity"
            )
        number = moves.quantity(quantity)
    moment = when(at)
    _check_available(unit or lot, name, order.site)
    at_line = _at_line(order, unit or lot)
    if at_line < number:
        refuse(
            _("%(line)s holds %(held)s %(uom)s of %(what)s; %(wanted)s were scanned. Issue it to "
              "the line first.")
            % {"line": order.line.path, "held": plain(at_line), "uom": item.unit, "what": name,
               "wanted": plain(number)},
            "quantity",
            ErrorCode.INVALID_STATE,
        )  # fmt: skip
    reason = reason.strip()
    if number > limits.remaining and not reason:
        refuse(
            _("%(component)s: %(consumed)s of at most %(limit)s %(uom)s consumed (BOM %(per)s per "
              "unit, tolerance %(tolerance)s %%); give a reason to use more.")
            % {"component": item.code, "consumed": plain(limits.consumed + number),
               "limit": plain(limits.limit), "uom": limits.line["unit"],
               "per": limits.line["quantity"], "tolerance": limits.line["tolerance_percent"]},
            "reason",
            over_consumption=True,
        )  # fmt: skip
    operation = operations.current(order)
    if into_unit is None and operation is not None and operation.per_unit:
        refuse(
            _("Operation %(operation)s records components per serial: scan the unit being "
              "built first.")
            % {"operation": operation.name},
            "into_unit",
        )  # fmt: skip
    if (
        into_unit is not None
        and not Output.objects.filter(work_order=order, unit=into_unit).exists()
    ):
        refuse(
            _("Unit %(serial)s is not an output of %(order)s.")
            % {"serial": into_unit.serial, "order": order.number},
            "into_unit",
        )
    event = record_event(
        _event(order, lot, unit, number, into_unit, moment, key),
        organization=order.organization,
        site=order.site,
        by=by,
        reason=reason,
    )
    consumption = Consumption.objects.create(
        work_order=order,
        operation=operation,
        component=item,
        lot=lot,
        unit=unit,
        quantity=number,
        uom=item.unit,
        into_unit=into_unit,
        reason=reason,
        event=event,
        consumed_by=by,
        consumed_at=moment,
    )
    changes = {
        "consumed": [None, name],
        "quantity": [None, plain(number)],
        "event": [None, event.event_id],
    }
    if into_unit is not None:
        changes["into_unit"] = [None, into_unit.serial]
    audit.record(AuditAction.CHANGE, order, by=by, changes=changes, reason=reason)
    started = start_if_released(order, moment)
    if started:
        audit.record(AuditAction.TRANSITION, order, by=by, changes=started)
    return consumption


def _event(order, lot, unit, number, into_unit, moment, key) -> Event:
    return Event(
        event_type="TransformationEvent",
        event_id=moves.event_id_for(order.organization, key) if key else new_event_id(),
        event_time=moment,
        event_time_zone_offset=moves.event_offset(order.site, moment),
        biz_step=CONSUME_STEP,
        read_point=location_uri(order.line),
        biz_location=location_uri(order.line),
        input_epc_list=(unit.identifier,) if unit is not None else (),
        input_quantity_list=(
            (QuantityElement(lot.identifier, number, epcis_uom(lot.item.unit)),)
            if unit is None
            else ()
        ),
        output_epc_list=(into_unit.identifier,) if into_unit is not None else (),
        output_quantity_list=(QuantityElement(order.lot.identifier),) if into_unit is None else (),
        biz_transactions=order_transaction(order),
        sources=(TypedId("location", location_uri(order.line)),),
    )
