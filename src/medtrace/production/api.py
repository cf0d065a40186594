"""Work orders over the REST API, mounted at /api/v1/production: list, plan, detail, release,
cancel, and the kitting list (executing them: execution_api.py; labels and QA's release:
release_api.py). Reads are scoped to the caller's sites; writes call the same services as the
pages."""

from datetime import date, datetime

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog.models import Item
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, error_responses, require_perm
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.org.models import Site

from . import selectors, services
from .choices import WorkOrderStatus
from .models import Output, WorkOrder
from .services import outputs

router = Router(tags=["production"])

# Writes with a JSON body also answer 400 when the body is not JSON at all.
BODY_ERRORS = {**WRITE_ERRORS, **error_responses(400)}


class RequiredOut(Schema):
    position: int
    component: str
    quantity: str
    unit: str
    tolerance_percent: str
    trace_required: bool
    required: str


class WorkOrderOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    item: str = Field(..., alias="item.code")
    quantity: str
    unit: str
    planned_start: date | None
    planned_end: date | None
    status: WorkOrderStatus
    note: str
    line: str | None = Field(None, description="The production location's path")
    lot: str | None = Field(None, description="The lot it makes (numbered at release)")
    made: str = Field(..., description="Quantity recorded as output so far")
    released_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    lot_released_at: datetime | None
    cancel_reason: str
    snapshot: dict
    required: list[RequiredOut]

    @staticmethod
    def resolve_quantity(order) -> str:
        return plain(order.quantity)

    @staticmethod
    def resolve_line(order) -> str | None:
        return order.line.path if order.line_id else None

    @staticmethod
    def resolve_lot(order) -> str | None:
        return order.lot.lot_number if order.lot_id else None

    @staticmethod
    def resolve_made(order) -> str:
        made = getattr(order, "made_total", None)
        return plain(outputs.made_quantity(order) if made is None else made)

    @staticmethod
    def resolve_required(order) -> list[dict]:
        return [{**line, "required": plain(line["required"])} for line in order.required()]


class WorkOrderIn(Schema):
    site: str = Field(..., description="Site code")
    item: str = Field(..., description="Item code")
    quantity: str
    planned_start: date | None = None
    planned_end: date | None = None
    note: str = ""


class CancelIn(Schema):
    reason: str


class ProductionPickOut(Schema):
    location: str
    identifier: str
    lot: str | None
    expires_on: date | None
    quantity: str


class KitLineOut(Schema):
    component: str
    unit: str
    required: str
    covered: str
    shortage: str
    picks: list[ProductionPickOut]


def _orders(request):
    made = (
        Output.objects.filter(work_order=OuterRef("pk"))
        .values("work_order")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        selectors.visible_work_orders(request.user)
        .select_related("line", "lot")
        .annotate(made_total=Coalesce(Subquery(made), Value(0), output_field=DecimalField()))
    )


def order_or_404(request, pk: int) -> WorkOrder:
    """The work order if the caller may see it (another site's: 404)."""
    return access.get_scoped_or_404(_orders(request), request.user, perm=selectors.VIEW, pk=pk)


@router.get("/work-orders", response=list[WorkOrderOut])
@paginate(Pages)
def list_work_orders(
    request, site: str | None = None, status: WorkOrderStatus | None = None, item: str | None = None
):
    rows = _orders(request)
    if site:
        rows = rows.filter(site__code=site.upper())
    if status:
        rows = rows.filter(status=status)
    if item:
        rows = rows.filter(item__code=item.upper())
    return rows


@router.post("/work-orders", response={201: WorkOrderOut, **BODY_ERRORS})
def create_work_order(request, payload: WorkOrderIn):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=selectors.VIEW, code=payload.site.upper()
    )
    require_perm(request, "production.add_workorder", site)
    item = get_object_or_404(Item, organization_id=site.organization_id, code=payload.item.upper())
    order = services.create_work_order(
        site=site, item=item, quantity=payload.quantity, planned_start=payload.planned_start,
        planned_end=payload.planned_end, note=payload.note, by=request.user,
    )  # fmt: skip
    return Status(201, order)


@router.get("/work-orders/{int:pk}", response={200: WorkOrderOut, **READ_ERRORS})
def get_work_order(request, pk: int):
    return order_or_404(request, pk)


@router.post("/work-orders/{int:pk}/release", response={200: WorkOrderOut, **WRITE_ERRORS})
def release_work_order(request, pk: int):
    order = order_or_404(request, pk)
    require_perm(request, "production.release_workorder", order)
    return services.release(order, by=request.user)


@router.post("/work-orders/{int:pk}/cancel", response={200: WorkOrderOut, **BODY_ERRORS})
def cancel_work_order(request, pk: int, payload: CancelIn):
    order = order_or_404(request, pk)
    require_perm(request, "production.cancel_workorder", order)
    return services.cancel(order, by=request.user, reason=payload.reason)


@router.get("/work-orders/{int:pk}/kitting", response={200: list[KitLineOut], **READ_ERRORS})
def kitting_list(request, pk: int):
    return [
        {
            "component": kit.line["component"],
            "unit": kit.line["unit"],
            "required": plain(kit.line["required"]),
            "covered": plain(kit.available),
            "shortage": plain(kit.shortage),
            "picks": [
                {
                    "location": pick.stock.location.path,
                    "identifier": pick.stock.object.identifier,
                    "lot": pick.stock.lot.lot_number if pick.stock.lot_id else None,
                    "expires_on": pick.stock.lot.expires_on if pick.stock.lot_id else None,
                    "quantity": plain(pick.quantity),
                }
                for pick in kit.picks
            ],
        }
        for kit in selectors.kitting_list(order_or_404(request, pk))
    ]
