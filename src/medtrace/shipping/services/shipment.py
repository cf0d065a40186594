"""Shipping a packed order: its top-level cases and pallets leave the site's shipping location
in one inventory movement (operation SHIP, disposition in transit) consigned to the customer's
party, so the trace forward of every lot and unit in them names the customer; and the
customer's delivery confirmation (signed link or API), recorded as their receiving event,
which moves none of our stock."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import Event
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.scan import parse
from medtrace.scan.errors import ScanError
from medtrace.trace.choices import ObjectKind
from medtrace.trace.services.recording import record_event

from ..choices import DeliveryChannel, OrderStatus
from ..models import Package, PackageContent, ShipmentOrder
from ..workflows import ORDER
from .common import (
    check_licence,
    check_shelf_life,
    customer_party,
    customer_place,
    lots_still_held,
    new_event_id,
    order_transactions,
    refuse,
    site_location,
    zone_offset,
)

DELIVERY_SALT = "medtrace.shipping.delivery"
DELIVERY_LINK_DAYS = 180


def _lot_quantities(order: ShipmentOrder) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for content in PackageContent.objects.filter(package__order=order, object__kind=ObjectKind.LOT):
        totals[content.object_id] = totals.get(content.object_id, Decimal(0)) + content.quantity
    return totals


def ship(
    order: ShipmentOrder, *, by, key: str | None = None, at: datetime | None = None
) -> ShipmentOrder:
    """Ship the packed order; a retry with the same key answers the shipped order."""
    if (
        key
        and order.shipment_event_id
        and order.shipment_event.event_id == moves.event_id_for(order.organization, key)
    ):
        return order

    def guard(record):
        today = record.site.local_date(at)
        check_licence(record.customer, today)
        lots = {
            content.lot
            for content in PackageContent.objects.filter(package__order=record).select_related(
                "lot"
            )
        }
        for lot in sorted((lot for lot in lots if lot), key=lambda lot: lot.pk):
            check_shelf_life(lot, record.customer, today, step=_("shipped"))
        if not record.packages.exists():
            refuse(
                ErrorCode.INVALID_STATE,
                _("Nothing is packed for %(order)s.") % {"order": record.number},
            )

    def effects(record):
        loads = list(
            Package.objects.filter(order=record, parent__isnull=True)
            .select_related("container")
            .order_by("pk")
        )
        lots = _lot_quantities(record)
        event = moves.move(
            site=record.site,
            lines=[moves.Line(load.container) for load in loads],
            operation=Operation.SHIP,
            biz_step="shipping",
            disposition=None if lots_still_held(lots) else "in_transit",
            source=site_location(record.site, LocationKind.SHIPPING),
            parties_to=(customer_party(record.customer, by=by),),
            biz_transactions=order_transactions(record),
            by=by,
            key=key,
            at=at,
        )
        record.shipment_event = event
        record.shipped_at = event.event_time
        return {"shipment_event": [None, event.event_id]}

    return ORDER.take(order, "ship", by=by, guard=guard, effects=effects)


def delivery_token(order: ShipmentOrder) -> str:
    return signing.dumps({"o": order.pk, "n": order.number}, salt=DELIVERY_SALT, compress=True)


def order_for_token(token: str) -> ShipmentOrder:
    """The order a confirmation link names; refused when forged or too old."""
    try:
        data = signing.loads(token, salt=DELIVERY_SALT, max_age=timedelta(days=DELIVERY_LINK_DAYS))
    except signing.SignatureExpired:
        refuse(ErrorCode.PERMISSION_DENIED, _("This confirmation link has expired."))
    except signing.BadSignature:
        refuse(ErrorCode.NOT_FOUND, _("This confirmation link is not valid."))
    order = (
        ShipmentOrder.objects.select_related("site", "customer", "organization")
        .filter(pk=data.get("o"), number=data.get("n"))
        .first()
    )
    if order is None:
        refuse(ErrorCode.NOT_FOUND, _("This confirmation link is not valid."))
    return order


def _sscc_of(code: str) -> str:
    text = code.strip()
    if text.isdigit() and len(text) == 18:
        return text
    if text.isdigit() and len(text) == 20 and text.startswith("00"):
        return text[2:]
    try:
        scanned = parse(text)
    except ScanError as error:
        raise DomainError(
            ErrorCode.VALIDATION, str(error), fields={"scanned": [str(error)]}
        ) from None
    if not scanned.sscc:
        refuse(
            ErrorCode.VALIDATION,
            _("%(code)s is not an SSCC.") % {"code": text},
            "scanned",
        )
    return scanned.sscc


@transaction.atomic
def confirm_delivery(
    order: ShipmentOrder,
    *,
    channel: str,
    by=None,
    received_by: str = "",
    scanned: list[str] = (),
    note: str = "",
    at: datetime | None = None,
) -> ShipmentOrder:
    """The customer received the shipment: their receiving event (ObjectEvent OBSERVE,
    receiving, in progress) on the cases and pallets, at no location of ours, and the order
    delivered. `by` is the signed-in user (API, staff); through the link the token was the
    authority and `received_by` names who confirmed."""
    order = (
        ShipmentOrder.objects.select_for_update(of=("self",))
        .select_related("site", "customer")
        .get(pk=order.pk)
    )
    if by is not None and not access.permits(by, "shipping.confirm_delivery", order):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow recording the delivery of %(order)s.")
            % {"order": order.number},
        )
    if order.status == OrderStatus.DELIVERED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("The delivery of %(order)s was already confirmed.") % {"order": order.number},
        )
    if order.status != OrderStatus.SHIPPED:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; only a shipped order is delivered.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    received_by = received_by.strip()
    if by is None and not received_by:
        refuse(ErrorCode.VALIDATION, _("Give the name of who received the goods."), "received_by")
    packages = {package.sscc: package for package in order.packages.select_related("container")}
    seen = []
    for code in scanned:
        if not code.strip():
            continue
        number = _sscc_of(code)
        if number not in packages:
            refuse(
                ErrorCode.VALIDATION,
                _("SSCC %(sscc)s is not part of shipment %(order)s.")
                % {"sscc": number, "order": order.number},
                "scanned",
            )
        seen.append(number)
    when = at or timezone.now()
    if when > timezone.now() + timedelta(seconds=moves.CLOCK_SKEW_SECONDS):
        refuse(ErrorCode.VALIDATION, _("The receipt's time lies in the future."), "at")
    loads = [p for p in packages.values() if p.parent_id is None]
    lots = {pk: Decimal(0) for pk in _lot_quantities(order)}
    event = record_event(
        Event(
            event_type="ObjectEvent",
            event_id=new_event_id(),
            event_time=when,
            event_time_zone_offset=zone_offset(order.site, when),
            action="OBSERVE",
            biz_step="receiving",
            disposition=None if lots_still_held(lots) else "in_progress",
            read_point=customer_place(order.customer),
            biz_location=customer_place(order.customer),
            epc_list=tuple(load.container.identifier for load in sorted(loads, key=lambda p: p.pk)),
            biz_transactions=order_transactions(order),
        ),
        organization=order.organization,
        site=order.site,
        by=by,
        reason=note.strip(),
    )
    before = order.status
    order.status = OrderStatus.DELIVERED
    order.delivered_at = when
    order.delivery_event = event
    order.delivery_channel = channel
    order.delivery_confirmed_by = received_by or (by.get_full_name() or by.username)
    order.delivery_scanned = seen
    order.save()
    missing = sorted(set(packages) - set(seen)) if seen else []
    audit.record(
        AuditAction.TRANSITION,
        order,
        by=by,
        changes={
            "status": [before, OrderStatus.DELIVERED],
            "delivery_channel": [None, channel],
            "received_by": [None, order.delivery_confirmed_by],
            "scanned": [None, seen],
            "not_scanned": [None, missing],
        },
        reason=note.strip(),
        actor_name="" if by is not None else f"{received_by} ({order.customer.code})",
    )
    return order


CHANNELS = DeliveryChannel
