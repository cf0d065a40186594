"""Reads: orders and returns scoped to the user's sites, the picking list with its
first-expiry-first-out suggestions, what is picked and not yet packed, and what a shipment
sent (the base of a return authorization)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum

from medtrace.inventory import selectors as stock
from medtrace.org import access
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, Unit

from .choices import OrderStatus
from .models import (
    Package,
    PackageContent,
    Pick,
    ReturnAuthorization,
    ReturnLine,
    ShipmentLine,
    ShipmentOrder,
)
from .services.common import min_shelf_life_days

VIEW = "shipping.view_shipmentorder"
# Orders whose picking list suggests stock.
PICKABLE = (OrderStatus.DRAFT, OrderStatus.RELEASED, OrderStatus.PICKING)


def visible_orders(user, *, perm: str = VIEW) -> QuerySet[ShipmentOrder]:
    return access.scoped(
        ShipmentOrder.objects.select_related("site", "customer", "organization"), user, perm=perm
    )


def get_order_or_404(user, pk: int, *, perm: str = VIEW) -> ShipmentOrder:
    return access.get_scoped_or_404(
        ShipmentOrder.objects.select_related("site", "customer", "organization"),
        user,
        perm=perm,
        pk=pk,
    )


def visible_returns(user, *, perm: str = "shipping.view_returnauthorization"):
    return access.scoped(
        ReturnAuthorization.objects.select_related("site", "customer", "order"), user, perm=perm
    )


def get_return_or_404(user, pk: int, *, perm: str = "shipping.view_returnauthorization"):
    return access.get_scoped_or_404(
        ReturnAuthorization.objects.select_related("site", "customer", "order", "organization"),
        user,
        perm=perm,
        pk=pk,
    )


@dataclass
class Suggestion:
    lot: Lot | None
    location: object
    quantity: Decimal
    uom: str
    units: list = field(default_factory=list)  # serialized: the units there, in serial order


@dataclass
class PickLine:
    line: ShipmentLine
    picked: Decimal
    suggestions: list[Suggestion]

    @property
    def remaining(self) -> Decimal:
        return max(self.line.quantity - self.picked, Decimal(0))

    @property
    def fefo_lot(self) -> Lot | None:
        return self.suggestions[0].lot if self.suggestions else None

    @property
    def done(self) -> bool:
        return self.picked >= self.line.quantity


def earliest_expiry(order: ShipmentOrder, today: date) -> date | None:
    """The earliest expiry date the customer accepts on `today`."""
    days = min_shelf_life_days(order.customer)
    return today + timedelta(days=days) if days else None


def picked_by_line(order: ShipmentOrder) -> dict[int, Decimal]:
    return dict(
        Pick.objects.filter(order=order, put_back_event__isnull=True)
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )


def fefo_stock(order: ShipmentOrder, item, today: date):
    """Available stock of `item` at the order's site, first expiry first out, without what
    would breach the customer's minimum remaining shelf life."""
    return stock.fefo(order.site, item, today=today, min_expires_on=earliest_expiry(order, today))


def picking_list(order: ShipmentOrder, *, today: date | None = None) -> list[PickLine]:
    today = today or order.site.local_date()
    picked = picked_by_line(order)
    result = []
    for line in order.lines.select_related("item").order_by("position"):
        rows = fefo_stock(order, line.item, today) if order.status in PICKABLE else []
        grouped: dict[tuple, Suggestion] = {}
        for row in rows:
            key = (row.lot_id, row.location_id)
            if key not in grouped:
                grouped[key] = Suggestion(row.lot, row.location, Decimal(0), row.uom)
            grouped[key].quantity += row.quantity
            if row.object.kind == ObjectKind.UNIT:
                grouped[key].units.append(row.object)
        result.append(PickLine(line, picked.get(line.pk, Decimal(0)), list(grouped.values())))
    return result


def unpacked(order: ShipmentOrder) -> dict[int, Decimal]:
    """{object id: quantity} picked for the order and not yet in a case."""
    left: dict[int, Decimal] = {}
    for object_id, total in (
        Pick.objects.filter(order=order, put_back_event__isnull=True)
        .values("object_id")
        .annotate(total=Sum("quantity"))
    ).values_list("object_id", "total"):
        left[object_id] = total
    for object_id, total in (
        PackageContent.objects.filter(package__order=order)
        .values("object_id")
        .annotate(total=Sum("quantity"))
        .values_list("object_id", "total")
    ):
        left[object_id] = left.get(object_id, Decimal(0)) - total
    return {pk: quantity for pk, quantity in left.items() if quantity > 0}


def unpacked_picks(order: ShipmentOrder) -> list[dict]:
    """What is still to be packed, for the packing screen: [{object, lot, item, quantity,
    uom}]."""
    left = unpacked(order)
    rows = {}
    for pick in Pick.objects.filter(
        order=order, object_id__in=left, put_back_event__isnull=True
    ).select_related("object", "lot", "line__item"):
        rows.setdefault(
            pick.object_id,
            {
                "object": pick.object,
                "lot": pick.lot,
                "item": pick.line.item,
                "quantity": left[pick.object_id],
                "uom": pick.uom,
                "serial": _serial(pick.object),
            },
        )
    return list(rows.values())


def _serial(obj) -> str:
    if obj.kind != ObjectKind.UNIT:
        return ""
    return Unit.objects.filter(pk=obj.pk).values_list("serial", flat=True).first() or ""


def packages_of(order: ShipmentOrder) -> list[Package]:
    """Top-level packages first (pallets and loose cases), each with `.cases` and
    `.lines` (contents)."""
    packages = list(order.packages.select_related("container").order_by("pk"))
    contents = (
        PackageContent.objects.filter(package__order=order)
        .select_related("object", "lot", "item")
        .order_by("pk")
    )
    by_package: dict[int, list] = {}
    for content in contents:
        content.serial = _serial(content.object)
        by_package.setdefault(content.package_id, []).append(content)
    for package in packages:
        package.lines = by_package.get(package.pk, [])
        package.cases = [p for p in packages if p.parent_id == package.pk]
    return packages


def shipped_contents(order: ShipmentOrder) -> dict[int, dict]:
    """{object id: {object, lot, item, quantity, uom}} of what the order's packages held."""
    found: dict[int, dict] = {}
    for content in PackageContent.objects.filter(package__order=order).select_related(
        "object", "lot", "item"
    ):
        entry = found.setdefault(
            content.object_id,
            {
                "object": content.object,
                "lot": content.lot,
                "item": content.item,
                "quantity": Decimal(0),
                "uom": content.uom,
            },
        )
        entry["quantity"] += content.quantity
    return found


def authorized_returns(order: ShipmentOrder, *, exclude=None) -> dict[int, Decimal]:
    """{object id: quantity} already on return authorizations of the order (not cancelled)."""
    rows = ReturnLine.objects.filter(rma__order=order).exclude(rma__status="cancelled")
    if exclude is not None:
        rows = rows.exclude(rma=exclude)
    return dict(
        rows.values("object_id").annotate(total=Sum("quantity")).values_list("object_id", "total")
    )
