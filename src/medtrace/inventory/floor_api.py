"""The floor's movements over the REST API (mounted under /api/v1/inventory/floor): transfer
(or put away) and issue to production, for handheld apps and integrations.

The object is any code the scan box reads (a GS1 string, a lot number, an SSCC, an EPC URN);
locations are a location code at the site ("A-01"), its label ("LOC:A1:A-01") or its URN.
Send a `key` (a UUID per movement) to retry safely: a key moves stock once, and a retry is
answered with the same event."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from medtrace.core.api import WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.scanning import KEY_LENGTH
from medtrace.org import access
from medtrace.org.models import Location, Site
from medtrace.trace.models import TraceEvent, TraceObject
from medtrace.trace.selectors import find_one

from . import location_codes
from .models import Stock
from .services import floor, moves
from .services.floor import Task

router = Router(tags=["inventory"])

MOVE = "inventory.add_stockmove"


class MovementIn(Schema):
    site: str = Field(..., description="Site code")
    object: str = Field(..., description="The lot, unit or case: any scanned code or identifier")
    quantity: Decimal | None = Field(
        None, description="A lot's quantity in its unit; empty: all of it at the source"
    )
    source: str | None = Field(
        None, description="The location it leaves; needed only when several hold it"
    )
    destination: str = Field(..., description="Location code, label (LOC:…) or URN")
    key: str | None = Field(
        None, max_length=KEY_LENGTH, pattern=r"^[A-Za-z0-9-]+$", description="Client key"
    )
    at: datetime | None = Field(None, description="When it was scanned (default: now)")


class TransferIn(MovementIn):
    task: Task = Field(
        Task.TRANSFER, description="putaway (into stock, available only) or transfer"
    )


class StockLine(Schema):
    location: str
    identifier: str
    quantity: Decimal
    uom: str


class MovementOut(Schema):
    event_id: str
    event_time: datetime
    object: str
    source: str | None
    destination: str | None
    stock: list[StockLine]


@router.post("/floor/transfer", response={200: MovementOut, **WRITE_ERRORS})
def transfer(request, payload: TransferIn):
    """Move a lot, unit or case between locations of one site (ObjectEvent, bizStep storing).
    `putaway` also requires a stock location and available goods."""
    if payload.task == Task.ISSUE:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Issue to production through POST /floor/issue."),
            fields={"task": [str(_("Not a transfer."))]},
        )
    return _move(request, payload, payload.task)


@router.post("/floor/issue", response={200: MovementOut, **WRITE_ERRORS})
def issue(request, payload: MovementIn):
    """Issue available stock to a production location (ObjectEvent, bizStep picking); held,
    quarantined, expired or recalled lots are refused with the reason."""
    return _move(request, payload, Task.ISSUE)


def _move(request, payload: MovementIn, task: Task):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=MOVE, code=payload.site.strip().upper()
    )
    require_perm(request, MOVE, site)
    earlier = moves.already_recorded(site.organization, payload.key)
    if earlier is None:
        obj = find_one(request.user, payload.object)
        destination = _location(request, site, payload.destination, "destination")
        source = _location(request, site, payload.source, "source") if payload.source else None
        earlier = floor.execute(
            task,
            site=site,
            obj=obj,
            destination=destination,
            source=source,
            quantity=payload.quantity,
            by=request.user,
            key=payload.key,
            at=payload.at,
        )
    return _answer(earlier, site)


def _location(request, site: Site, text: str, field: str) -> Location:
    text = (text or "").strip()
    location = location_codes.find_location(request.user, text)
    if location is None:
        location = (
            access.scoped(Location.objects.select_related("site"), request.user)
            .filter(site=site, code=text.upper())
            .first()
        )
    if location is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("Location %(code)s is not known at site %(site)s.")
            % {"code": text, "site": site.code},
            fields={field: [str(_("Unknown location."))]},
        )
    return location


def _answer(event: TraceEvent, site: Site) -> dict:
    lines = list(event.stock_moves.select_related("location", "object"))
    objects = {line.object_id for line in lines}
    moved = [line for line in lines if line.quantity > 0]
    left = [line for line in lines if line.quantity < 0]
    touched = {line.location_id for line in lines}
    stock = (
        Stock.objects.filter(object_id__in=objects, location_id__in=touched)
        .select_related("location", "object")
        .order_by("location__path", "object__identifier")
    )
    named = event.touched.exclude(object=None).select_related("object").first()
    obj: TraceObject | None = named.object if named is not None else None
    return {
        "event_id": event.event_id,
        "event_time": event.event_time,
        "object": obj.identifier if obj is not None else "",
        "source": left[0].location.path if left else None,
        "destination": moved[0].location.path if moved else None,
        "stock": [
            {
                "location": row.location.path,
                "identifier": row.object.identifier,
                "quantity": row.quantity,
                "uom": row.uom,
            }
            for row in stock
        ],
    }
