"""Purchasing over the REST API, mounted at /api/v1/purchasing. Reads are scoped to the
caller's sites; writes call the same services as the pages and need the permission at the
order's (or receipt's) site. An order's status moves only through POST .../actions/{name};
receiving takes an optional client `key` (a retry with the same key answers the first receipt)
and `at` (the scan time); releasing a lot and signing a source exception take the caller's
password, entered now."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from medtrace.catalog.models import Item
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.org import access
from medtrace.org.models import Location, Site
from medtrace.partners.models import Supplier
from medtrace.purchasing import selectors
from medtrace.purchasing.choices import PurchaseOrderStatus, ReceiptStatus
from medtrace.purchasing.services import orders, receiving
from medtrace.purchasing.services import release as releasing
from medtrace.purchasing.workflows import PURCHASE_ORDER

router = Router(tags=["purchasing"])

ADD_ORDER = "purchasing.add_purchaseorder"
CHANGE_ORDER = "purchasing.change_purchaseorder"
ADD_RECEIPT = "purchasing.add_receipt"


class PurchaseLineOut(Schema):
    id: int
    position: int
    item: str = Field(..., alias="item.code")
    quantity: Decimal
    uom: str
    expected_on: date
    received_quantity: Decimal
    open_quantity: Decimal
    supplier_gtin: str
    supplier_item_code: str
    tolerance_percent: Decimal
    min_remaining_days: int | None
    source_verdict: str
    source_reason: str

    @staticmethod
    def resolve_source_verdict(line) -> str:
        return str(orders.verdict_of(line).verdict)

    @staticmethod
    def resolve_source_reason(line) -> str:
        return orders.verdict_of(line).reason


class PurchaseOrderOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    supplier: str = Field(..., alias="supplier.code")
    status: PurchaseOrderStatus
    note: str
    created_at: datetime


class PurchaseOrderDetailOut(PurchaseOrderOut):
    lines: list[PurchaseLineOut]

    @staticmethod
    def resolve_lines(order) -> list:
        return list(order.lines.all())


class PurchaseLineIn(Schema):
    item: str = Field(..., description="Item code")
    quantity: Decimal
    expected_on: date
    supplier_gtin: str = ""
    supplier_item_code: str = ""
    tolerance_percent: Decimal | None = None
    min_remaining_days: int | None = Field(None, ge=0)


class PurchaseOrderIn(Schema):
    site: str = Field(..., description="Receiving site code")
    supplier: str = Field(..., description="Supplier code")
    note: str = ""
    lines: list[PurchaseLineIn] = []


class PurchaseOrderQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: PurchaseOrderStatus | None = None
    supplier: str | None = Field(None, description="Supplier code")


class PurchaseActionIn(Schema):
    reason: str = ""


class PurchaseSignIn(Schema):
    password: str = Field(..., description="Your password, entered now")
    reason: str = ""


class ExpectedOut(Schema):
    line_id: int = Field(..., alias="pk")
    order: str = Field(..., alias="order.number")
    site: str = Field(..., alias="order.site.code")
    supplier: str = Field(..., alias="order.supplier.code")
    item: str = Field(..., alias="item.code")
    expected_on: date
    open_quantity: Decimal
    uom: str
    overdue: bool

    @staticmethod
    def resolve_overdue(line) -> bool:
        return line.expected_on < line.order.site.local_date()


class ReceiveIn(Schema):
    code: str = Field("", description="The supplier's label as scanned (GS1, HIBC, MA)")
    quantity: Decimal | None = None
    supplier_lot: str = ""
    expires_on: date | None = None
    manufactured_on: date | None = None
    reason: str = Field("", description="Required when the receipt differs from the order")
    location: str | None = Field(None, description="Receiving or quarantine location code")
    key: str | None = Field(None, max_length=64, description="Client key: a retry is answered once")
    at: datetime | None = Field(None, description="When it was scanned (not in the future)")


class ReceiptOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    order: str = Field(..., alias="order.number")
    line: int = Field(..., alias="line.position")
    lot_id: int
    lot: str = Field(..., alias="lot.lot_number")
    item: str = Field(..., alias="lot.item.code")
    quantity: Decimal
    uom: str
    gtin: str
    supplier_lot_number: str
    manufactured_on: date | None
    expires_on: date | None
    mismatches: list[dict]
    reason: str
    certificate_sha256: str
    event_id: str = Field(..., alias="event.event_id")
    inspection: str | None = Field(None, alias="inspection.number")
    status: ReceiptStatus
    received_at: datetime
    released_at: datetime | None
    release_blocked_by: list[str]

    @staticmethod
    def resolve_release_blocked_by(receipt) -> list[str]:
        if receipt.status != ReceiptStatus.QUARANTINE:
            return []
        return releasing.blockers(receipt)


class ReleaseIn(PurchaseSignIn):
    location: str | None = Field(None, description="Stock location code to put the lot away")


def _site(request, code: str, perm: str) -> Site:
    site = access.get_scoped_or_404(Site.objects.all(), request.user, perm=perm, code=code.upper())
    require_perm(request, perm, site)
    return site


def _location(site: Site, code: str | None) -> Location | None:
    if not code:
        return None
    location = Location.objects.filter(site=site, code=code.upper()).first()
    if location is None:
        raise Http404
    return location


@router.get("/orders", response=list[PurchaseOrderOut])
@paginate(Pages)
def list_orders(request, filters: Query[PurchaseOrderQuery]):
    records = selectors.visible_orders(request.user)
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.supplier:
        records = records.filter(supplier__code=filters.supplier.upper())
    return records


@router.post("/orders", response={201: PurchaseOrderDetailOut, **WRITE_ERRORS})
def create_order(request, payload: PurchaseOrderIn):
    """A draft order with its lines (all or nothing)."""
    site = _site(request, payload.site, ADD_ORDER)
    supplier = Supplier.objects.filter(
        organization_id=site.organization_id, code=payload.supplier.upper()
    ).first()
    if supplier is None:
        raise Http404
    codes = {line.item.upper() for line in payload.lines}
    items = {
        item.code: item
        for item in Item.objects.filter(organization_id=site.organization_id, code__in=codes)
    }
    if len(items) != len(codes):
        raise Http404
    lines = [
        {
            "item": items[line.item.upper()],
            **line.dict(exclude={"item"}, exclude_none=True),
        }
        for line in payload.lines
    ]
    order = orders.create_order(
        site=site, supplier=supplier, note=payload.note, lines=lines, by=request.user
    )
    return Status(201, selectors.get_order_or_404(request.user, order.pk))


@router.get("/orders/{int:pk}", response={200: PurchaseOrderDetailOut, **READ_ERRORS})
def get_order(request, pk: int):
    return selectors.get_order_or_404(request.user, pk)


@router.post("/orders/{int:pk}/lines", response={201: PurchaseOrderDetailOut, **WRITE_ERRORS})
def add_line(request, pk: int, payload: PurchaseLineIn):
    """Add a line to a draft order; its unit of measure is the item's. Answers the order."""
    order = selectors.get_order_or_404(request.user, pk)
    require_perm(request, CHANGE_ORDER, order)
    item = Item.objects.filter(
        organization_id=order.organization_id, code=payload.item.upper()
    ).first()
    if item is None:
        raise Http404
    orders.add_line(
        order, item=item, by=request.user, **payload.dict(exclude={"item"}, exclude_none=True)
    )
    return Status(201, selectors.get_order_or_404(request.user, pk))


@router.post(
    "/orders/{int:pk}/actions/{name}", response={200: PurchaseOrderDetailOut, **WRITE_ERRORS}
)
def take_action(request, pk: int, name: str, payload: PurchaseActionIn):
    """release (every line's source checked), cancel (reason; nothing received) or close
    (reason)."""
    order = selectors.get_order_or_404(request.user, pk)
    transition = PURCHASE_ORDER.transition(name)
    require_perm(request, transition.permission, order)
    orders.ACTIONS[transition.name](order, request.user, payload.reason)
    return selectors.get_order_or_404(request.user, pk)


@router.post("/lines/{int:pk}/exception", response={201: PurchaseOrderDetailOut, **WRITE_ERRORS})
def grant_exception(request, pk: int, payload: PurchaseSignIn):
    """The QA manager's signed exception for a line whose source is conditional."""
    line = selectors.get_line_or_404(request.user, pk)
    require_perm(request, orders.APPROVE_EXCEPTION, line.order)
    orders.grant_exception(line, by=request.user, password=payload.password, reason=payload.reason)
    return Status(201, selectors.get_order_or_404(request.user, line.order_id))


@router.get("/expected-receipts", response=list[ExpectedOut])
@paginate(Pages)
def expected_receipts(request, site: str | None = None):
    """Open lines of released orders, by expected date."""
    lines = selectors.expected_receipts(request.user)
    if site:
        lines = lines.filter(order__site__code=site.upper())
    return lines


@router.post("/lines/{int:pk}/receipts", response={201: ReceiptOut, **WRITE_ERRORS})
def receive(request, pk: int, payload: ReceiveIn):
    """Receive a supplier lot against the line into quarantine (201; a retry with the same
    `key` answers the first receipt)."""
    line = selectors.get_line_or_404(request.user, pk)
    require_perm(request, ADD_RECEIPT, line.order)
    at = payload.at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    receipt = receiving.receive(
        line, by=request.user, quantity=payload.quantity, code=payload.code,
        supplier_lot=payload.supplier_lot, expires_on=payload.expires_on,
        manufactured_on=payload.manufactured_on, reason=payload.reason,
        location=_location(line.order.site, payload.location), key=payload.key, at=at,
    )  # fmt: skip
    return Status(201, selectors.get_receipt_or_404(request.user, receipt.pk))


@router.get("/receipts", response=list[ReceiptOut])
@paginate(Pages)
def list_receipts(request, status: ReceiptStatus | None = None, site: str | None = None):
    records = selectors.visible_receipts(request.user).select_related("event", "inspection")
    if status:
        records = records.filter(status=status)
    if site:
        records = records.filter(site__code=site.upper())
    return records


@router.get("/receipts/{int:pk}", response={200: ReceiptOut, **READ_ERRORS})
def get_receipt(request, pk: int):
    return selectors.get_receipt_or_404(request.user, pk)


@router.post("/receipts/{int:pk}/certificate", response={200: ReceiptOut, **WRITE_ERRORS})
def attach_certificate(request, pk: int, file: File[UploadedFile]):
    """Attach the certificate of analysis (PDF or image) while the lot is in quarantine."""
    receipt = selectors.get_receipt_or_404(request.user, pk)
    require_perm(request, ADD_RECEIPT, receipt)
    receiving.attach_certificate(receipt, file, by=request.user)
    return selectors.get_receipt_or_404(request.user, pk)


@router.post("/receipts/{int:pk}/release", response={200: ReceiptOut, **WRITE_ERRORS})
def release(request, pk: int, payload: ReleaseIn):
    """QA's signed release of the lot (409 until its incoming inspection is completed and
    accepted); with `location` the lot is put away there."""
    receipt = selectors.get_receipt_or_404(request.user, pk)
    require_perm(request, "purchasing.release_receipt", receipt)
    releasing.release(
        receipt, by=request.user, password=payload.password, reason=payload.reason,
        location=_location(receipt.site, payload.location),
    )  # fmt: skip
    return selectors.get_receipt_or_404(request.user, pk)
