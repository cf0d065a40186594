"""Packing: picked units and lot quantities into cases, cases onto pallets. Each case or
pallet is a trace container with an SSCC from the plant's series, filled by a packing
AggregationEvent (parent: the container; childEPCs: units or cases; childQuantityList: lot
quantities), recorded through the trace core. Aggregations move no stock: the goods stay at
the shipping location, now inside the case, and leave with it."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.numbers import plain
from medtrace.epcis.model import Event, QuantityElement
from medtrace.inventory.ledger import location_uri
from medtrace.inventory.services.moves import quantity as parse_quantity
from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.trace.choices import ContainerKind, ObjectKind
from medtrace.trace.models import Lot, TraceObject, Unit
from medtrace.trace.services.objects import create_container
from medtrace.trace.services.recording import record_event

from .. import selectors
from ..choices import OrderStatus, PackageKind
from ..models import Package, PackageContent, ShipmentOrder
from ..workflows import ORDER
from . import sscc as sscc_series
from .common import new_event_id, refuse, site_location, zone_offset

PERM = "shipping.pack_shipmentorder"


def _locked(order: ShipmentOrder, by) -> ShipmentOrder:
    order = (
        ShipmentOrder.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=order.pk)
    )
    if not access.permits(by, PERM, order):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow packing %(order)s.") % {"order": order.number},
        )
    if order.status != OrderStatus.PICKING:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(order)s is %(status)s; goods are packed while the order is being picked.")
            % {"order": order.number, "status": order.get_status_display()},
        )
    return order


def _new_package(order, kind: str, *, by):
    code = sscc_series.allocate(order.organization)
    container = create_container(
        organization=order.organization,
        sscc=code,
        container_kind=ContainerKind.PALLET if kind == PackageKind.PALLET else ContainerKind.CASE,
        site=order.site,
        by=by,
    )
    return code, container


def _aggregate(order, container, *, epcs=(), quantities=(), by):
    shipping = site_location(order.site, LocationKind.SHIPPING)
    when = timezone.now()
    return record_event(
        Event(
            event_type="AggregationEvent",
            event_id=new_event_id(),
            event_time=when,
            event_time_zone_offset=zone_offset(order.site, when),
            action="ADD",
            biz_step="packing",
            read_point=location_uri(shipping),
            parent_id=container.identifier,
            epc_list=tuple(epcs),
            quantity_list=tuple(quantities),
        ),
        organization=order.organization,
        site=order.site,
        by=by,
    )


@transaction.atomic
def pack_case(
    order: ShipmentOrder, *, by, contents: list[tuple[TraceObject, object]] | None = None
) -> Package:
    """A new case holding `contents` ((lot, quantity) or (unit, None)); without contents,
    everything picked and not yet packed."""
    order = _locked(order, by)
    left = selectors.unpacked(order)
    if contents is None:
        objects = {obj.pk: obj for obj in TraceObject.objects.filter(pk__in=left).order_by("pk")}
        contents = [(objects[pk], left[pk]) for pk in objects]
    if not contents:
        refuse(ErrorCode.VALIDATION, _("Nothing picked is waiting to be packed."), "contents")
    chosen: dict[int, tuple[TraceObject, Decimal]] = {}
    for obj, quantity in contents:
        have = left.get(obj.pk, Decimal(0)) - chosen.get(obj.pk, (obj, Decimal(0)))[1]
        if obj.kind == ObjectKind.UNIT:
            amount = Decimal(1)
        elif quantity in (None, ""):
            amount = have
        else:
            amount = parse_quantity(quantity, field="contents")
        if have <= 0 or amount > have:
            refuse(
                ErrorCode.VALIDATION,
                _("%(object)s: %(have)s picked for %(order)s and not yet packed; %(asked)s asked.")
                % {
                    "object": obj.identifier,
                    "have": plain(max(have, Decimal(0))),
                    "order": order.number,
                    "asked": plain(amount),
                },
                "contents",
            )
        previous = chosen.get(obj.pk, (obj, Decimal(0)))[1]
        chosen[obj.pk] = (obj, previous + amount)
    units = {u.pk: u for u in Unit.objects.select_related("item", "lot").filter(pk__in=chosen)}
    lots = {lot.pk: lot for lot in Lot.objects.select_related("item").filter(pk__in=chosen)}
    code, container = _new_package(order, PackageKind.CASE, by=by)
    event = _aggregate(
        order,
        container,
        epcs=[units[pk].identifier for pk in chosen if pk in units],
        quantities=[
            QuantityElement(lots[pk].identifier, amount, lots[pk].item.unit)
            for pk, (_obj, amount) in chosen.items()
            if pk in lots
        ],
        by=by,
    )
    package = Package.objects.create(
        organization_id=order.organization_id,
        site=order.site,
        order=order,
        container=container,
        sscc=code,
        kind=PackageKind.CASE,
        event=event,
        packed_by=by,
        packed_at=event.event_time,
    )
    for pk, (_obj, amount) in chosen.items():
        thing = units.get(pk) or lots[pk]
        PackageContent.objects.create(
            organization_id=order.organization_id,
            package=package,
            object_id=pk,
            lot=thing.lot if pk in units else thing,
            item=thing.item,
            quantity=amount,
            uom=thing.item.unit,
        )
    changes = audit.created(package)
    changes["contents"] = [
        None,
        [
            [c.object.identifier, plain(c.quantity)]
            for c in package.contents.select_related("object")
        ],
    ]
    audit.record(AuditAction.CREATE, package, by=by, changes=changes)
    return package


@transaction.atomic
def pack_pallet(order: ShipmentOrder, *, by, cases: list[Package] | None = None) -> Package:
    """A new pallet carrying `cases` (default: every case of the order not yet on one)."""
    order = _locked(order, by)
    loose = order.packages.filter(kind=PackageKind.CASE, parent__isnull=True)
    if cases is None:
        cases = list(loose.select_related("container"))
    loose_ids = set(loose.values_list("pk", flat=True))
    for case in cases:
        if case.pk not in loose_ids:
            refuse(
                ErrorCode.VALIDATION,
                _("Case %(sscc)s is not a loose case of %(order)s.")
                % {"sscc": case.sscc, "order": order.number},
                "cases",
            )
    if not cases:
        refuse(ErrorCode.VALIDATION, _("No loose case to put on a pallet."), "cases")
    code, container = _new_package(order, PackageKind.PALLET, by=by)
    event = _aggregate(order, container, epcs=[case.container.identifier for case in cases], by=by)
    pallet = Package.objects.create(
        organization_id=order.organization_id,
        site=order.site,
        order=order,
        container=container,
        sscc=code,
        kind=PackageKind.PALLET,
        event=event,
        packed_by=by,
        packed_at=event.event_time,
    )
    Package.objects.filter(pk__in=[case.pk for case in cases]).update(parent=pallet)
    changes = audit.created(pallet)
    changes["cases"] = [None, [case.sscc for case in cases]]
    audit.record(AuditAction.CREATE, pallet, by=by, changes=changes)
    return pallet


def finish_packing(order: ShipmentOrder, *, by) -> ShipmentOrder:
    """Every line picked in full and everything picked in a case: ready to ship."""

    def guard(record):
        picked = selectors.picked_by_line(record)
        for line in record.lines.select_related("item").order_by("position"):
            done = picked.get(line.pk, Decimal(0))
            if done < line.quantity:
                refuse(
                    ErrorCode.INVALID_STATE,
                    _("Line %(line)s (%(item)s) is not fully picked: %(picked)s of %(ordered)s.")
                    % {
                        "line": line.position,
                        "item": line.item.code,
                        "picked": plain(done),
                        "ordered": plain(line.quantity),
                    },
                )
        if selectors.unpacked(record):
            refuse(ErrorCode.INVALID_STATE, _("Some picked goods are not packed in a case yet."))

    return ORDER.take(order, "finish_packing", by=by, guard=guard)
