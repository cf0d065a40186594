"""Shipping over the REST API, mounted at /api/v1/shipping: shipment orders (create, release,
cancel), the picking list, picks by scan (a client `key` makes a retried pick record once),
packing into SSCC cases and pallets, shipping, delivery confirmation (by a signed-in caller, or
by the customer's system with the confirmation link's token), and return authorizations. Reads
are scoped to the caller's sites; writes call the same services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog.models import Item
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Location, Site
from medtrace.partners.models import Customer

from . import scanning, selectors
from .choices import DeliveryChannel, OrderStatus, PackageKind, ReturnStatus
from .models import Package, Pick, ReturnLine
from .services import orders, packing, picking, returns, shipment

router = Router(tags=["shipping"])


class ShippingLineOut(Schema):
    position: int
    item: str = Field(..., alias="item.code")
    quantity: Decimal
    uom: str


class ShippingPickOut(Schema):
    id: int
    object: str = Field(..., alias="object.identifier")
    lot: str | None = Field(None, alias="lot.lot_number")
    quantity: Decimal
    uom: str
    source: str = Field(..., alias="source.path")
    suggested_lot: str | None = Field(None, alias="suggested_lot.lot_number")
    deviation_reason: str
    event_id: str = Field(..., alias="event.event_id")
    put_back_event_id: str | None = Field(None, alias="put_back_event.event_id")
    put_back_reason: str
    picked_at: datetime
    picked_by: str | None = Field(None, alias="picked_by.username")


class ContentOut(Schema):
    object: str = Field(..., alias="object.identifier")
    lot: str | None = Field(None, alias="lot.lot_number")
    quantity: Decimal
    uom: str


class PackageOut(Schema):
    id: int
    sscc: str
    kind: PackageKind
    on_pallet: str | None = Field(None, alias="parent.sscc")
    contents: list[ContentOut]

    @staticmethod
    def resolve_contents(package) -> list:
        return list(package.contents.select_related("object", "lot"))


class ShippingOrderOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    customer: str = Field(..., alias="customer.code")
    customer_reference: str
    status: OrderStatus
    requested_on: date | None
    created_at: datetime
    released_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    delivery_channel: str
    delivery_confirmed_by: str
    lines: list[ShippingLineOut]

    @staticmethod
    def resolve_lines(order) -> list:
        return list(order.lines.all())


class ShippingOrderDetailOut(ShippingOrderOut):
    picks: list[ShippingPickOut]
    packages: list[PackageOut]
    shipment_event_id: str | None = Field(None, alias="shipment_event.event_id")

    @staticmethod
    def resolve_picks(order) -> list:
        return list(order.picks.select_related("object", "lot", "source", "suggested_lot", "event"))

    @staticmethod
    def resolve_packages(order) -> list:
        return list(order.packages.select_related("parent"))


class OrderLineIn(Schema):
    item: str = Field(..., description="Item code")
    quantity: Decimal


class ShippingOrderIn(Schema):
    site: str = Field(..., description="Site code")
    customer: str = Field(..., description="Customer code")
    lines: list[OrderLineIn]
    customer_reference: str = ""
    ship_to: str = ""
    requested_on: date | None = None
    notes: str = ""


class ShippingOrderQuery(Schema):
    site: str | None = None
    status: OrderStatus | None = None
    customer: str | None = None


class ShippingActionIn(Schema):
    reason: str = ""


class PickIn(Schema):
    code: str = Field(..., description="The scanned lot or unit label (GS1, HIBC, a lot number)")
    quantity: Decimal | None = Field(None, description="For a lot; default: the label's count")
    location: str | None = Field(None, description="The stock location code picked from")
    reason: str = Field("", description="Why not the first-expiry-first-out lot")
    key: str | None = Field(None, max_length=64, description="Client key: a retry records once")
    at: datetime | None = Field(None, description="When it was scanned")


class SuggestionOut(Schema):
    lot: str | None
    expires_on: date | None
    location: str
    quantity: Decimal
    uom: str
    units: list[str]


class PickingLineOut(Schema):
    position: int
    item: str
    ordered: Decimal
    picked: Decimal
    remaining: Decimal
    fefo_lot: str | None
    suggestions: list[SuggestionOut]


class PackContentIn(Schema):
    code: str
    quantity: Decimal | None = None


class PackIn(Schema):
    kind: PackageKind = PackageKind.CASE
    contents: list[PackContentIn] | None = Field(
        None, description="A case's contents; default: everything picked and not yet packed"
    )
    cases: list[str] | None = Field(
        None, description="A pallet's cases by SSCC; default: every loose case"
    )


class ShipIn(Schema):
    key: str | None = Field(None, max_length=64)
    at: datetime | None = None


class DeliveryIn(Schema):
    received_by: str = ""
    scanned: list[str] = Field([], description="SSCCs scanned at receipt")
    note: str = ""
    at: datetime | None = None


class TermsIn(Schema):
    min_remaining_shelf_life_days: int = Field(..., ge=0, le=3650)
    reason: str = ""


class TermsOut(Schema):
    customer: str = Field(..., alias="customer.code")
    min_remaining_shelf_life_days: int


class ReturnLineOut(Schema):
    id: int
    object: str = Field(..., alias="object.identifier")
    quantity: Decimal
    uom: str
    decision: str
    decision_reason: str
    ncr: str | None = Field(None, alias="ncr.number")


class ReturnOut(Schema):
    id: int
    number: str
    order: str = Field(..., alias="order.number")
    customer: str = Field(..., alias="customer.code")
    status: ReturnStatus
    reason: str
    created_at: datetime
    received_at: datetime | None
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_lines(rma) -> list:
        return list(rma.lines.select_related("object", "ncr"))


class ReturnLineIn(Schema):
    code: str
    quantity: Decimal | None = None


class ReturnIn(Schema):
    order: int = Field(..., description="The shipment order id")
    reason: str
    lines: list[ReturnLineIn]


class ShippingDecisionIn(Schema):
    decision: str = Field(..., description="restock, scrap or ncr")
    reason: str
    location: str | None = Field(None, description="Restock: the stock location code")


def _order(request, pk: int):
    return selectors.get_order_or_404(request.user, pk)


def _location(site: Site, code: str | None) -> Location | None:
    if not code:
        return None
    return get_object_or_404(Location, site=site, code=code.strip().upper())


@router.get("/orders", response=list[ShippingOrderOut])
@paginate(Pages)
def list_orders(request, filters: Query[ShippingOrderQuery]):
    found = selectors.visible_orders(request.user)
    if filters.site:
        found = found.filter(site__code=filters.site.upper())
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.customer:
        found = found.filter(customer__code=filters.customer.upper())
    return found.prefetch_related("lines__item")


@router.post("/orders", response={201: ShippingOrderOut, **WRITE_ERRORS})
def create_order(request, payload: ShippingOrderIn):
    perm = "shipping.add_shipmentorder"
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=perm, code=payload.site.upper()
    )
    require_perm(request, perm, site)
    organization = site.organization_id
    customer = get_object_or_404(
        Customer, organization_id=organization, code=payload.customer.upper()
    )
    lines = [
        (
            get_object_or_404(Item, organization_id=organization, code=line.item.upper()),
            line.quantity,
        )
        for line in payload.lines
    ]
    order = orders.create_order(
        site=site,
        customer=customer,
        lines=lines,
        by=request.user,
        customer_reference=payload.customer_reference,
        ship_to=payload.ship_to,
        requested_on=payload.requested_on,
        notes=payload.notes,
    )
    return Status(201, order)


@router.get("/orders/{int:pk}", response={200: ShippingOrderDetailOut, **READ_ERRORS})
def get_order(request, pk: int):
    return _order(request, pk)


@router.post(
    "/orders/{int:pk}/actions/{name}", response={200: ShippingOrderDetailOut, **WRITE_ERRORS}
)
def order_action(request, pk: int, name: str, payload: ShippingActionIn):
    """release, cancel (with a reason) or finish_packing."""
    order = _order(request, pk)
    actions = {
        "release": lambda: orders.release_order(order, by=request.user),
        "cancel": lambda: orders.cancel_order(order, by=request.user, reason=payload.reason),
        "finish_packing": lambda: packing.finish_packing(order, by=request.user),
    }
    if name not in actions:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("“%(action)s” is not an action here (release, cancel, finish_packing).")
            % {"action": name},
        )
    return actions[name]()


@router.get("/orders/{int:pk}/picking-list", response={200: list[PickingLineOut], **READ_ERRORS})
def picking_list(request, pk: int):
    order = _order(request, pk)
    return [
        {
            "position": entry.line.position,
            "item": entry.line.item.code,
            "ordered": entry.line.quantity,
            "picked": entry.picked,
            "remaining": entry.remaining,
            "fefo_lot": entry.fefo_lot.lot_number if entry.fefo_lot else None,
            "suggestions": [
                {
                    "lot": s.lot.lot_number if s.lot else None,
                    "expires_on": s.lot.expires_on if s.lot else None,
                    "location": s.location.path,
                    "quantity": s.quantity,
                    "uom": s.uom,
                    "units": [unit.identifier for unit in s.units],
                }
                for s in entry.suggestions
            ],
        }
        for entry in selectors.picking_list(order)
    ]


@router.post("/orders/{int:pk}/picks", response={201: ShippingPickOut, **WRITE_ERRORS})
def pick(request, pk: int, payload: PickIn):
    order = _order(request, pk)
    require_perm(request, "shipping.pick_shipmentorder", order)
    obj = scanning.resolve(request.user, payload.code)
    quantity = payload.quantity
    if quantity is None:
        quantity = scanning.label_quantity(payload.code)
    record = picking.pick(
        order,
        obj=obj,
        quantity=quantity,
        source=_location(order.site, payload.location),
        reason=payload.reason,
        key=payload.key,
        at=payload.at,
        by=request.user,
    )
    return Status(201, record)


@router.post(
    "/orders/{int:pk}/picks/{int:pick_id}/put-back", response={200: ShippingPickOut, **WRITE_ERRORS}
)
def put_back(request, pk: int, pick_id: int, payload: ShippingActionIn):
    """Take a pick back to where it came from (before it is packed), with the reason."""
    order = _order(request, pk)
    require_perm(request, "shipping.pick_shipmentorder", order)
    record = get_object_or_404(Pick, order=order, pk=pick_id)
    return picking.put_back(record, by=request.user, reason=payload.reason)


@router.post("/orders/{int:pk}/packages", response={201: PackageOut, **WRITE_ERRORS})
def pack(request, pk: int, payload: PackIn):
    order = _order(request, pk)
    require_perm(request, "shipping.pack_shipmentorder", order)
    if payload.kind == PackageKind.PALLET:
        cases = None
        if payload.cases is not None:
            cases = [get_object_or_404(Package, order=order, sscc=code) for code in payload.cases]
        return Status(201, packing.pack_pallet(order, by=request.user, cases=cases))
    contents = None
    if payload.contents is not None:
        contents = [
            (scanning.resolve(request.user, line.code), line.quantity) for line in payload.contents
        ]
    return Status(201, packing.pack_case(order, by=request.user, contents=contents))


@router.post("/orders/{int:pk}/ship", response={200: ShippingOrderDetailOut, **WRITE_ERRORS})
def ship(request, pk: int, payload: ShipIn):
    order = _order(request, pk)
    return shipment.ship(order, by=request.user, key=payload.key, at=payload.at)


@router.post("/orders/{int:pk}/delivery", response={200: ShippingOrderDetailOut, **WRITE_ERRORS})
def confirm_delivery(request, pk: int, payload: DeliveryIn):
    """Record the customer's confirmation (by phone, from their system)."""
    order = _order(request, pk)
    require_perm(request, "shipping.confirm_delivery", order)
    return shipment.confirm_delivery(
        order,
        channel=DeliveryChannel.API,
        by=request.user,
        received_by=payload.received_by,
        scanned=payload.scanned,
        note=payload.note,
        at=payload.at,
    )


@router.post(
    "/delivery-confirmations/{token}",
    response={200: ShippingOrderOut, **WRITE_ERRORS},
    auth=None,
)
def confirm_by_token(request, token: str, payload: DeliveryIn):
    """For the customer's own system: the token of the confirmation link is the authority."""
    order = shipment.order_for_token(token)
    return shipment.confirm_delivery(
        order,
        channel=DeliveryChannel.LINK,
        received_by=payload.received_by,
        scanned=payload.scanned,
        note=payload.note,
        at=payload.at,
    )


@router.put("/customers/{code}/terms", response={200: TermsOut, **WRITE_ERRORS})
def set_terms(request, code: str, payload: TermsIn):
    customer = get_object_or_404(
        Customer, organization_id=request.user.organization_id, code=code.upper()
    )
    require_perm(request, "shipping.change_customershippingterms")
    return orders.set_terms(
        customer=customer,
        min_remaining_shelf_life_days=payload.min_remaining_shelf_life_days,
        by=request.user,
        reason=payload.reason,
    )


@router.get("/returns", response=list[ReturnOut])
@paginate(Pages)
def list_returns(request):
    return selectors.visible_returns(request.user).prefetch_related("lines__object")


@router.post("/returns", response={201: ReturnOut, **WRITE_ERRORS})
def create_return(request, payload: ReturnIn):
    order = _order(request, payload.order)
    require_perm(request, "shipping.add_returnauthorization", order)
    lines = [(scanning.resolve(request.user, line.code), line.quantity) for line in payload.lines]
    rma = returns.create_return(order, lines=lines, reason=payload.reason, by=request.user)
    return Status(201, rma)


@router.get("/returns/{int:pk}", response={200: ReturnOut, **READ_ERRORS})
def get_return(request, pk: int):
    return selectors.get_return_or_404(request.user, pk)


@router.post("/returns/{int:pk}/receive", response={200: ReturnOut, **WRITE_ERRORS})
def receive_return(request, pk: int, payload: ShipIn):
    rma = selectors.get_return_or_404(request.user, pk)
    require_perm(request, "shipping.receive_returnauthorization", rma)
    return returns.receive_return(rma, by=request.user, key=payload.key, at=payload.at)


@router.post(
    "/returns/{int:pk}/lines/{int:line_id}/decision",
    response={200: ReturnOut, **WRITE_ERRORS},
)
def decide(request, pk: int, line_id: int, payload: ShippingDecisionIn):
    rma = selectors.get_return_or_404(request.user, pk)
    require_perm(request, "shipping.decide_returnauthorization", rma)
    line = get_object_or_404(ReturnLine, rma=rma, pk=line_id)
    returns.decide_line(
        line,
        decision=payload.decision,
        reason=payload.reason,
        location=_location(rma.site, payload.location),
        by=request.user,
    )
    rma.refresh_from_db()
    return rma
