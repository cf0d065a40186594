"""What an order makes, recorded at its line: a quantity of its lot (CBV creating_class_instance)
or serialized units of it (commissioning), with the lot's production and expiry dates in the
ILMD. Serials are generated from the serial pattern (settings.PRODUCTION_SERIAL_PATTERN, the
lot-number tokens; the sequence never resets, so a serial is unique per item and GTIN) or read
from pre-printed labels (a GS1 element string or the bare serial); every serial obeys GS1's
rules for AI (21). The order never makes more than its quantity.

Made goods wait in quarantine (disposition in_progress) for QA's release; a lot already held
(a deviation from an out-of-limit reading) stays held: its outputs carry no disposition."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import Tracking
from medtrace.catalog.services.lot_numbers import parse_pattern, render
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.inventory.ledger import epcis_uom, location_uri
from medtrace.inventory.services import moves
from medtrace.production.choices import SerialSource
from medtrace.production.models import Output, SerialCounter, WorkOrder
from medtrace.scan import parse as parse_scan
from medtrace.scan.errors import ScanError
from medtrace.scan.gs1 import validate_value
from medtrace.trace.models import Lot, Unit
from medtrace.trace.services import objects as trace_objects
from medtrace.trace.services.recording import record_event

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

LOT_STEP = "creating_class_instance"
UNIT_STEP = "commissioning"
MADE = "in_progress"  # CBV: made, not yet released
SERIAL_AI = "21"


@dataclass(frozen=True)
class Made:
    outputs: list[Output]
    event: object  # TraceEvent


def made_quantity(order: WorkOrder) -> Decimal:
    return order.outputs.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def check_serial(serial: str, year: int) -> str:
    """The serial, or a refusal naming the GS1 rule for AI (21) it breaks."""
    serial = serial.strip()
    if not serial:
        refuse(_("A serial cannot be empty."), "serials")
    try:
        validate_value(SERIAL_AI, serial, year)
    except ScanError as error:
        refuse(str(error), "serials")
    return serial


def serial_from_scan(order: WorkOrder, text: str) -> str:
    """The serial a pre-printed label carries: a GS1 element string, Digital Link or HRI whose
    GTIN must be the lot's, or the bare serial."""
    text = text.strip()
    if not text:
        refuse(_("A serial cannot be empty."), "serials")
    looks_encoded = text.startswith(("(", "]", "http", "\x1d")) or "\x1d" in text
    if not looks_encoded:
        return text
    try:
        result = parse_scan(text)
    except ScanError as error:
        refuse(str(error), "serials")
    if not result.serial:
        refuse(_("The label scanned carries no serial number (AI 21)."), "serials")
    if order.lot.gtin and result.gtin and result.gtin != order.lot.gtin:
        refuse(
            _("The label is for GTIN %(scanned)s; %(order)s makes GTIN %(gtin)s.")
            % {"scanned": result.gtin, "order": order.number, "gtin": order.lot.gtin},
            "serials",
        )
    return result.serial


def draw_serials(order: WorkOrder, count: int) -> list[str]:
    """`count` new serials of the order's item from the pattern, under the item's row lock."""
    parsed = parse_pattern(settings.PRODUCTION_SERIAL_PATTERN)
    counter, _created = SerialCounter.objects.get_or_create(item=order.item)
    counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
    day = order.site.local_date()
    serials = []
    for _each in range(count):
        counter.last_number += 1
        try:
            serials.append(render(parsed, site=order.site, day=day, number=counter.last_number))
        except DomainError:
            refuse(
                _("The serial pattern %(pattern)s has no numbers left for %(item)s.")
                % {"pattern": parsed.pattern, "item": order.item.code},
                code=ErrorCode.INVALID_STATE,
            )
    counter.save(update_fields=["last_number"])
    return serials


def _date_the_lot(order: WorkOrder, by) -> Lot:
    """The first output dates the lot: made today (the site's day), expiring after the item's
    shelf life."""
    lot = Lot.objects.select_for_update().get(pk=order.lot_id)
    if lot.manufactured_on is not None:
        return lot
    day = order.site.local_date()
    lot.manufactured_on = day
    if order.item.shelf_life_days:
        lot.expires_on = day + timedelta(days=order.item.shelf_life_days)
    lot.save(update_fields=["manufactured_on", "expires_on"])
    audit.record(
        AuditAction.CHANGE,
        lot,
        by=by,
        changes={
            "manufactured_on": [None, lot.manufactured_on.isoformat()],
            "expires_on": [None, lot.expires_on.isoformat() if lot.expires_on else None],
        },
        reason=str(_("Made by %(order)s") % {"order": order.number}),
    )
    return lot


def _ilmd(lot: Lot) -> dict:
    data = {"cbvmda:lotNumber": lot.lot_number}
    if lot.expires_on:
        data["cbvmda:itemExpirationDate"] = lot.expires_on.isoformat()
    if lot.manufactured_on:
        data["cbvmda:productionDate"] = lot.manufactured_on.isoformat()
    return data


def _disposition(lot: Lot) -> str | None:
    # A lot with a disposition already (held, or made earlier) keeps it.
    return MADE if not Lot.objects.get(pk=lot.pk).disposition else None


@transaction.atomic
def record(
    order: WorkOrder,
    *,
    by,
    quantity=None,
    serials: list[str] = (),
    generate: int | None = None,
    at=None,
    key: str | None = None,
) -> Made:
    """Record output: `quantity` of a lot-tracked item; for a serialized one the units, by
    `serials` read from pre-printed labels or `generate` new ones."""
    order = locked(order)
    earlier = moves.already_recorded(order.organization, key)
    if earlier is not None:
        return Made(list(Output.objects.filter(event=earlier)), earlier)
    require_executor(order, by)
    require_working(order)
    serialized = order.item.tracking == Tracking.SERIAL
    moment = when(at)
    if serialized:
        if quantity not in (None, ""):
            refuse(
                _("%(item)s is serialized: record its units, not a quantity.")
                % {"item": order.item.code},
                "quantity",
            )
        if bool(serials) == bool(generate):
            refuse(_("Scan the units' serials or say how many to generate."), "serials")
        if generate:
            if int(generate) < 1:
                refuse(_("Generate at least one serial."), "generate")
            wanted = int(generate)
        else:
            texts = [serial_from_scan(order, text) for text in serials]
            wanted = len(texts)
        number = Decimal(wanted)
    else:
        if serials or generate:
            refuse(
                _("%(item)s is tracked by lot: enter the quantity made.")
                % {"item": order.item.code},
                "quantity",
            )
        number = moves.quantity(quantity)
    made = made_quantity(order)
    if made + number > order.quantity:
        refuse(
            _("%(order)s makes %(planned)s %(uom)s; %(made)s are recorded, %(more)s more would "
              "exceed it.")
            % {"order": order.number, "planned": plain(order.quantity), "uom": order.unit,
               "made": plain(made), "more": plain(number)},
            "quantity",
            ErrorCode.INVALID_STATE,
        )  # fmt: skip
    lot = _date_the_lot(order, by)
    year = order.site.local_date().year
    if serialized:
        source = SerialSource.GENERATED if generate else SerialSource.SCANNED
        chosen = draw_serials(order, wanted) if generate else texts
        if len(set(chosen)) != len(chosen):
            refuse(_("The same serial was scanned twice."), "serials")
        units = [_new_unit(order, lot, check_serial(serial, year), by) for serial in chosen]
    event = record_event(
        Event(
            event_type="ObjectEvent",
            event_id=moves.event_id_for(order.organization, key) if key else new_event_id(),
            event_time=moment,
            event_time_zone_offset=moves.event_offset(order.site, moment),
            action="ADD",
            biz_step=UNIT_STEP if serialized else LOT_STEP,
            disposition=_disposition(lot),
            read_point=location_uri(order.line),
            biz_location=location_uri(order.line),
            epc_list=tuple(unit.identifier for unit in units) if serialized else (),
            quantity_list=()
            if serialized
            else (QuantityElement(lot.identifier, number, epcis_uom(order.item.unit)),),
            biz_transactions=order_transaction(order),
            destinations=(TypedId("location", location_uri(order.line)),),
            ilmd=_ilmd(lot),
        ),
        organization=order.organization,
        site=order.site,
        by=by,
    )  # fmt: skip
    if serialized:
        outputs = Output.objects.bulk_create(
            Output(
                work_order=order,
                unit=unit,
                quantity=1,
                serial_source=source,
                event=event,
                recorded_by=by,
                recorded_at=moment,
            )
            for unit in units
        )
    else:
        outputs = [
            Output.objects.create(
                work_order=order,
                quantity=number,
                event=event,
                recorded_by=by,
                recorded_at=moment,
            )
        ]
    changes = {"made": [plain(made), plain(made + number)], "event": [None, event.event_id]}
    if serialized:
        changes["serials"] = [None, [unit.serial for unit in units]]
    audit.record(AuditAction.CHANGE, order, by=by, changes=changes)
    started = start_if_released(order, moment)
    if started:
        audit.record(AuditAction.TRANSITION, order, by=by, changes=started)
    return Made(outputs, event)


def _new_unit(order: WorkOrder, lot: Lot, serial: str, by) -> Unit:
    if Unit.objects.filter(item=order.item, serial=serial).exists():
        refuse(
            _("Serial %(serial)s of %(item)s exists already: a serial is used once per GTIN.")
            % {"serial": serial, "item": order.item.code},
            "serials",
            ErrorCode.CONFLICT,
        )
    return trace_objects.create_unit(
        item=order.item, serial=serial, site=order.site, gtin=lot.gtin, lot=lot, by=by
    )
