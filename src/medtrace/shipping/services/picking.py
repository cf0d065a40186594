"""Picking: a lot quantity or a unit scanned for an order line moves from its stock location
to the site's shipping location (one inventory movement, operation PICK). The inventory core
refuses what is not available (held, quarantined, expired, recalled); here the customer's
minimum remaining shelf life is enforced, and a pick other than the first-expiry-first-out
suggestion needs the picker's reason, kept on the pick and in the audit trail. A client key
makes a resent scan (offline queue, API retry) record once."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.inventory import statuses
from medtrace.inventory.choices import Operation
from medtrace.inventory.models import Stock
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, TraceObject, Unit

from .. import selectors
from ..choices import OrderStatus
from ..models import Pick, ShipmentOrder
from .common import check_shelf_life, order_transaction, refuse, site_location

PERM = "shipping.pick_shipmentorder"


def _typed(obj: TraceObject) -> TraceObject:
    if obj.kind == ObjectKind.LOT and not isinstance(obj, Lot):
        return Lot.objects.select_related("item").get(pk=obj.pk)
    if obj.kind == ObjectKind.UNIT and not isinstance(obj, Unit):
        return Unit.objects.select_related("item", "lot").get(pk=obj.pk)
    return obj


def _amount(obj, quantity) -> Decimal:
    if obj.kind == ObjectKind.UNIT:
        if quantity not in (None, "") and Decimal(str(quantity)) != 1:
            refuse(
                ErrorCode.VALIDATION,
                _("Unit %(serial)s is one piece; scan each unit.") % {"serial": obj.serial},
                "quantity",
            )
        return Decimal(1)
    if quantity in (None, ""):
        refuse(
            ErrorCode.VALIDATION,
            _("How much of lot %(lot)s? Give the quantity.") % {"lot": obj.lot_number},
            "quantity",
        )
    return moves.quantity(quantity)


def _source(order: ShipmentOrder, obj) -> Location:
    """The stock location holding the object at the order's site: the one with the most."""
    rows = (
        Stock.objects.select_related("location__site")
        .filter(site=order.site, object=obj, location__kind=LocationKind.STOCK)
        .order_by("-quantity", "location__path")
    )
    row = rows.first()
    if row is None:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(what)s is not in stock at any stock location of %(site)s.")
            % {"what": _name(obj), "site": order.site.code},
            "code",
        )
    return row.location


def _name(obj) -> str:
    if obj.kind == ObjectKind.UNIT:
        return str(_("Unit %(serial)s") % {"serial": obj.serial})
    return str(_("Lot %(lot)s of %(item)s") % {"lot": obj.lot_number, "item": obj.item.code})


def _fefo_check(order, line, lot: Lot | None, today: date, reason: str) -> Lot | None:
    """The FEFO lot for the line; refuses a later-expiring lot picked without a reason."""
    rows = selectors.fefo_stock(order, line.item, today)
    suggested = rows[0].lot if rows else None
    if suggested is None or lot is None or suggested.pk == lot.pk:
        return suggested
    later = (lot.expires_on or date.max) > (suggested.expires_on or date.max)
    if later and not reason.strip():
        refuse(
            ErrorCode.REASON_REQUIRED,
            _(
                "First expiry, first out: lot %(fefo)s (expires %(fefo_expiry)s) is to be "
                "picked before lot %(lot)s (expires %(expiry)s). Give the reason for picking "
                "lot %(lot)s."
            )
            % {
                "fefo": suggested.lot_number,
                "fefo_expiry": suggested.expires_on or "—",
                "lot": lot.lot_number,
                "expiry": lot.expires_on or "—",
            },
            "reason",
            suggested=suggested.identifier,
        )
    return suggested


@transaction.atomic
def pick(
    order: ShipmentOrder,
    *,
    obj: TraceObject,
    by,
    quantity=None,
    source: Location | None = None,
    reason: str = "",
    key: str | None = None,
    at: datetime | None = None,
) -> Pick:
    """Pick `obj` (a lot, with `quantity`, or a unit) for the order."""
    order = (
        ShipmentOrder.objects.select_for_update(of=("self",))
        .select_related("site", "customer")
        .get(pk=order.pk)
    )
    if key:
        earlier = Pick.objects.filter(order=order, key=key).first()
        if earlier is not None:
            return earlier
    if not access.permits(by, PERM, order):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow picking %(order)s.") % {"order": order.number},
        )
    if order.status not in (OrderStatus.RELEASED, OrderStatus.PICKING):
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; only a released order is picked.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    if obj.organization_id != order.organization_id:
        refuse(ErrorCode.NOT_FOUND, _("%(code)s is not known here.") % {"code": obj}, "code")
    obj = _typed(obj)
    if obj.kind == ObjectKind.CONTAINER:
        refuse(
            ErrorCode.VALIDATION,
            _("%(code)s is a case or pallet; scan the lot or unit label.")
            % {"code": obj.identifier},
            "code",
        )
    if obj.kind == ObjectKind.LOT and obj.item.tracking == "serial":
        refuse(
            ErrorCode.VALIDATION,
            _("%(item)s is serialized: scan the units of lot %(lot)s.")
            % {"item": obj.item.code, "lot": obj.lot_number},
            "code",
        )
    line = order.lines.filter(item=obj.item).first()
    if line is None:
        refuse(
            ErrorCode.VALIDATION,
            _("%(item)s is not on %(order)s.") % {"item": obj.item.code, "order": order.number},
            "code",
        )
    amount = _amount(obj, quantity)
    picked = selectors.picked_by_line(order).get(line.pk, Decimal(0))
    if picked + amount > line.quantity:
        refuse(
            ErrorCode.VALIDATION,
            _("Line %(line)s needs %(left)s %(uom)s more of %(item)s; %(amount)s is too much.")
            % {
                "line": line.position,
                "left": plain(line.quantity - picked),
                "uom": line.uom,
                "item": line.item.code,
                "amount": plain(amount),
            },
            "quantity",
        )
    when = at or timezone.now()
    today = order.site.local_date(when)
    lot = obj if obj.kind == ObjectKind.LOT else obj.lot
    # The core's rule first (held, quarantined, expired, recalled: named with who set it),
    # then the customer's, then first expiry first out.
    statuses.require([obj], Operation.PICK, today=today)
    check_shelf_life(lot, order.customer, today, step=_("picked"))
    suggested = _fefo_check(order, line, lot, today, reason)
    shipping = site_location(order.site, LocationKind.SHIPPING)
    source = source or _source(order, obj)
    event = moves.move(
        site=order.site,
        lines=[moves.Line(obj, amount if obj.kind == ObjectKind.LOT else None)],
        operation=Operation.PICK,
        biz_step="picking",
        source=source,
        destination=shipping,
        biz_transactions=(order_transaction(order),),
        reason=reason.strip(),
        by=by,
        key=key,
        at=at,
    )
    if key and not getattr(event, "is_new", False):
        # The key already stands for another movement (another order's scan): not this pick.
        refuse(
            ErrorCode.CONFLICT,
            _("This scan's key was already used for another movement; scan again."),
            "key",
        )
    record = Pick.objects.create(
        organization_id=order.organization_id,
        site=order.site,
        order=order,
        line=line,
        object=obj,
        lot=lot,
        quantity=amount,
        uom=line.uom,
        source=source,
        event=event,
        suggested_lot=suggested,
        deviation_reason=reason.strip() if suggested and lot and suggested.pk != lot.pk else "",
        key=key or "",
        picked_by=by,
        picked_at=event.event_time,
    )
    changes = audit.created(record)
    changes["object"] = [None, obj.identifier]
    audit.record(AuditAction.CREATE, record, by=by, changes=changes, reason=record.deviation_reason)
    if order.status == OrderStatus.RELEASED:
        order.status = OrderStatus.PICKING
        order.save(update_fields=["status"])
        audit.record(
            AuditAction.TRANSITION,
            order,
            by=by,
            changes={"status": [OrderStatus.RELEASED, OrderStatus.PICKING]},
        )
    return record


@transaction.atomic
def put_back(record: Pick, *, by, reason: str) -> Pick:
    """Take a pick back to the location it came from (a wrong pick, an order to be
    cancelled): only while the order is being picked and the goods are not in a case."""
    order = (
        ShipmentOrder.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=record.order_id)
    )
    record = (
        Pick.objects.select_for_update(of=("self",))
        .select_related("object", "source")
        .get(pk=record.pk)
    )
    if not access.permits(by, PERM, order):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow picking %(order)s.") % {"order": order.number},
        )
    if record.put_back_event_id:
        refuse(ErrorCode.INVALID_STATE, _("This pick was already put back."))
    if order.status != OrderStatus.PICKING:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; picks are put back while it is being picked.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    if not reason.strip():
        refuse(ErrorCode.REASON_REQUIRED, _("Give the reason for putting it back."), "reason")
    if selectors.unpacked(order).get(record.object_id, Decimal(0)) < record.quantity:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(object)s is already packed in a case; it cannot be put back.")
            % {"object": record.object.identifier},
        )
    obj = _typed(record.object)
    record.put_back_event = moves.move(
        site=order.site,
        lines=[moves.Line(obj, record.quantity if obj.kind == ObjectKind.LOT else None)],
        operation=Operation.TRANSFER,
        biz_step="storing",
        source=site_location(order.site, LocationKind.SHIPPING),
        destination=record.source,
        biz_transactions=(order_transaction(order),),
        reason=reason.strip(),
        by=by,
    )
    record.put_back_reason = reason.strip()
    record.save(update_fields=["put_back_event", "put_back_reason"])
    audit.record(
        AuditAction.CHANGE,
        record,
        by=by,
        changes={"put_back_event": [None, record.put_back_event.event_id]},
        reason=record.put_back_reason,
    )
    return record
