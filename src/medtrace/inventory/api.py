"""Stock over the REST API, mounted at /api/v1/inventory: stock rows with their status, FEFO
candidates, the expiry forecast, and cycle counts (start, record, post, cancel). Reads are
scoped to the caller's sites; writes call the same services as the pages."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog.models import Item
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.org.models import Location, Site
from medtrace.trace.selectors import find_one

from . import selectors
from .choices import AdjustmentReason, CountStatus, StockStatus
from .models import CycleCount
from .services import counts

router = Router(tags=["inventory"])


class InventoryStockOut(Schema):
    site: str = Field(..., alias="site.code")
    location: str = Field(..., alias="location.path")
    item: str = Field(..., alias="item.code")
    lot: str | None = None
    serial: str | None = None
    expires_on: date | None = None
    identifier: str = Field(..., alias="object.identifier")
    quantity: str
    uom: str
    status: StockStatus

    @staticmethod
    def resolve_quantity(stock) -> str:
        return plain(stock.quantity)

    @staticmethod
    def resolve_lot(stock) -> str | None:
        return stock.lot.lot_number if stock.lot_id else None

    @staticmethod
    def resolve_serial(stock) -> str | None:
        return stock.object.as_unit.serial if stock.object.kind == "unit" else None

    @staticmethod
    def resolve_expires_on(stock) -> date | None:
        return stock.lot.expires_on if stock.lot_id else None


class StockQuery(Schema):
    site: str | None = Field(None, description="Site code")
    item: str | None = Field(None, description="Item code")
    location: str | None = Field(None, description="Location path; its sub-locations count")
    status: StockStatus | None = None
    q: str | None = Field(None, description="Item, lot, supplier lot or identifier contains")


def _site(request, code: str | None, perm: str = selectors.VIEW) -> Site | None:
    if not code:
        return None
    return access.get_scoped_or_404(Site.objects.all(), request.user, perm=perm, code=code.upper())


def _item(request, code: str | None) -> Item | None:
    if not code:
        return None
    return get_object_or_404(Item, organization__in=_organizations(request), code=code.upper())


def _organizations(request):
    return {site.organization_id for site in access.visible_sites(request.user)}


def _today(site: Site | None) -> date:
    return site.local_date() if site is not None else timezone.localdate()


@router.get("/stock", response=list[InventoryStockOut])
@paginate(Pages)
def list_stock(request, filters: Query[StockQuery]):
    site = _site(request, filters.site)
    rows = selectors.stock_list(
        request.user,
        today=_today(site),
        site=site,
        item=_item(request, filters.item),
        status=filters.status or "",
        text=(filters.q or "").strip(),
    )
    if filters.location:
        path = filters.location.upper()
        rows = rows.filter(Q(location__path=path) | Q(location__path__startswith=f"{path}/"))
    return rows


@router.get("/fefo", response={200: list[InventoryStockOut], **READ_ERRORS})
def fefo(
    request,
    site: str,
    item: str,
    min_expires_on: date | None = None,
    limit: int = Query(50, ge=1, le=500),
):
    """Available stock of an item at a site's stock locations, first expiry first out."""
    where = _site(request, site)
    return selectors.fefo(
        where,
        _item(request, item),
        today=_today(where),
        min_expires_on=min_expires_on,
        limit=limit,
    )


class ForecastOut(Schema):
    site: str = Field(..., alias="site__code")
    item: str = Field(..., alias="item__code")
    lot: str = Field(..., alias="lot__lot_number")
    expires_on: date = Field(..., alias="lot__expires_on")
    days_left: int
    bucket: int = Field(..., description="0: expired and still held; else 30, 60 or 90")
    location: str = Field(..., alias="location__path")
    quantity: str
    uom: str
    status: StockStatus

    @staticmethod
    def resolve_quantity(row) -> str:
        return plain(row["quantity"])


@router.get("/expiry-forecast", response=list[ForecastOut])
def expiry_forecast(request, site: str | None = None):
    where = _site(request, site)
    return selectors.expiry_forecast(request.user, today=_today(where), site=where)


class CountLineOut(Schema):
    location: str = Field(..., alias="location.path")
    identifier: str = Field(..., alias="object.identifier")
    item: str = Field(..., alias="item.code")
    expected: Decimal
    counted: Decimal | None
    reason: str
    note: str


class CountOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    location: str = Field(..., alias="location.path")
    status: CountStatus
    needs_approval: bool
    lines: list[CountLineOut]

    @staticmethod
    def resolve_needs_approval(count) -> bool:
        return count.status == CountStatus.OPEN and counts.needs_approval(count)

    @staticmethod
    def resolve_lines(count):
        return list(count.lines.select_related("location", "object", "item"))


class CountIn(Schema):
    site: str
    location: str = Field(..., description="Location path at the site")
    note: str = ""


class CountedIn(Schema):
    code: str = Field(..., description="Scanned barcode, identifier or lot number")
    location: str = Field(..., description="Location path at the count's site")
    counted: Decimal
    reason: AdjustmentReason | None = None
    note: str = ""


class PostIn(Schema):
    password: str = Field("", description="Needed when the count needs an approval signature")
    reason: str = ""


class CancelIn(Schema):
    reason: str


def _count(request, pk: int) -> CycleCount:
    return access.get_scoped_or_404(
        CycleCount.objects.select_related("site", "location"),
        request.user,
        perm="inventory.view_cyclecount",
        pk=pk,
    )


@router.get("/counts", response=list[CountOut])
@paginate(Pages)
def list_counts(request, site: str | None = None, status: CountStatus | None = None):
    rows = access.scoped(
        CycleCount.objects.select_related("site", "location"),
        request.user,
        perm="inventory.view_cyclecount",
    )
    if site:
        rows = rows.filter(site__code=site.upper())
    if status:
        rows = rows.filter(status=status)
    return rows


@router.post("/counts", response={201: CountOut, **WRITE_ERRORS})
def start_count(request, payload: CountIn):
    site = _site(request, payload.site, perm="inventory.add_cyclecount")
    require_perm(request, "inventory.add_cyclecount", site)
    location = get_object_or_404(Location, site=site, path=payload.location.upper())
    return Status(201, counts.start_count(location=location, note=payload.note, by=request.user))


@router.get("/counts/{int:pk}", response={200: CountOut, **READ_ERRORS})
def get_count(request, pk: int):
    return _count(request, pk)


@router.post("/counts/{int:pk}/lines", response={200: CountOut, **WRITE_ERRORS})
def record_counted(request, pk: int, payload: CountedIn):
    count = _count(request, pk)
    require_perm(request, "inventory.add_cyclecount", count)
    counts.record_counted(
        count,
        obj=find_one(request.user, payload.code),
        location=get_object_or_404(Location, site=count.site, path=payload.location.upper()),
        counted=payload.counted,
        reason=payload.reason or "",
        note=payload.note,
        by=request.user,
    )
    return _count(request, pk)


@router.post("/counts/{int:pk}/post", response={200: CountOut, **WRITE_ERRORS})
def post_count(request, pk: int, payload: PostIn):
    count = _count(request, pk)
    return counts.post(count, by=request.user, password=payload.password, reason=payload.reason)


@router.post("/counts/{int:pk}/cancel", response={200: CountOut, **WRITE_ERRORS})
def cancel_count(request, pk: int, payload: CancelIn):
    return counts.cancel(_count(request, pk), by=request.user, reason=payload.reason)


# Transfers and issues by scan (the floor's handhelds) live in their own module.
from medtrace.inventory.floor_api import router as floor_router  # noqa: E402

router.add_router("", floor_router)
