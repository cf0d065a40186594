"""Disassembly and rework: a consumed component taken back out of what it went into returns to
stock with its history, and the product keeps its identity.

The component comes back by a CBV `dismantling` ObjectEvent that brings it to a location of
the order's site (a unit in quarantine, disposition `returned`, to be judged before reuse; a
lot's quantity keeps the lot's status, which is the lot's as a whole). The consumption is
marked returned by that event, so the unit may be consumed again. The genealogy link from the
first consumption stays: the component *was* in that product, and a trace must still find it
there for that time. Reworking a serialized unit is disassembling the faulty component and
consuming its replacement into the same unit (consumption.consume(into_unit=…)): the unit keeps
its serial, its lot and its history."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.inventory.ledger import epcis_uom, location_uri
from medtrace.inventory.services import moves
from medtrace.org.models import Location
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.models import Consumption
from medtrace.trace.services.recording import record_event

from .common import locked, new_event_id, order_transaction, refuse, require_executor, when

DISMANTLE_STEP = "dismantling"
RETURNED = "returned"
REWORKABLE = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED)


@transaction.atomic
def disassemble(
    consumption: Consumption, *, by, reason: str, location: Location, at=None, key=None
) -> Consumption:
    """Take the consumed component back out and put it at `location`, saying why."""
    order = locked(consumption.work_order)
    earlier = moves.already_recorded(order.organization, key)
    if earlier is not None:
        return Consumption.objects.get(returned_event=earlier)
    consumption = Consumption.objects.select_for_update().get(pk=consumption.pk)
    require_executor(order, by)
    if order.status not in REWORKABLE:
        refuse(
            _("%(order)s is %(status)s; components come back out of an order being made or "
              "completed, before its lot is released.")
            % {"order": order.number, "status": order.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )  # fmt: skip
    if consumption.returned_event_id is not None:
        refuse(
            _("This component was taken back out already."),
            code=ErrorCode.CONFLICT,
        )
    if not reason.strip():
        refuse(_("Say why the component is taken back out."), "reason")
    if location.site_id != order.site_id or not location.is_active:
        refuse(
            _("%(location)s is not an open location of site %(site)s.")
            % {"location": location.path, "site": order.site.code},
            "location",
        )
    moment = when(at)
    if moment < consumption.consumed_at:
        refuse(_("A component cannot come out before it went in."), "at")
    unit, lot = consumption.unit, consumption.lot
    quantities = (
        ()
        if unit is not None
        else (QuantityElement(lot.identifier, consumption.quantity, epcis_uom(consumption.uom)),)
    )
    event = record_event(
        Event(
            event_type="ObjectEvent",
            event_id=moves.event_id_for(order.organization, key) if key else new_event_id(),
            event_time=moment,
            event_time_zone_offset=moves.event_offset(order.site, moment),
            action="OBSERVE",
            biz_step=DISMANTLE_STEP,
            disposition=RETURNED if unit is not None else None,
            read_point=location_uri(location),
            biz_location=location_uri(location),
            epc_list=(unit.identifier,) if unit is not None else (),
            quantity_list=quantities,
            biz_transactions=order_transaction(order),
            destinations=(TypedId("location", location_uri(location)),),
        ),
        organization=order.organization,
        site=order.site,
        by=by,
        reason=reason.strip(),
    )  # fmt: skip
    consumption.returned_event = event
    consumption.save(update_fields=["returned_event"])
    name = unit.serial if unit is not None else lot.lot_number
    what = f"{consumption.component.code} {name} {plain(consumption.quantity)}"
    audit.record(
        AuditAction.CHANGE,
        order,
        by=by,
        changes={
            "returned": [None, what],
            "location": [None, location.path],
            "event": [None, event.event_id],
        },
        reason=reason.strip(),
    )
    return consumption
