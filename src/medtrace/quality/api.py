"""Nonconformance reports over the REST API, mounted at /api/v1/quality. Reads are scoped to
the caller's sites; writes call the same services as the pages. A record's status moves only
through POST .../actions/{name}, the NCR workflow's transitions (those needing a signature
take the caller's password, entered now)."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog.models import Item
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.equipment.models import Equipment
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.partners.models import Supplier
from medtrace.quality import selectors
from medtrace.quality.capa_api import router as capa_router
from medtrace.quality.choices import Decision, NcrSource, NcrStatus, Severity
from medtrace.quality.deviation_api import router as deviation_router
from medtrace.quality.inspection_api import router as inspection_router
from medtrace.quality.services import nonconformance as ncrs
from medtrace.quality.workflows import NCR
from medtrace.trace.models import Lot

router = Router(tags=["quality"])
router.add_router("", inspection_router)
router.add_router("", deviation_router)
router.add_router("", capa_router)
router.add_router("", "medtrace.quality.complaint_api.router")


class DispositionOut(Schema):
    id: int
    decision: Decision
    quantity: Decimal
    justification: str
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_at: datetime
    execution_note: str
    executed_at: datetime | None
    event_id: str | None = Field(None, alias="event.event_id")


class ActionOut(Schema):
    name: str
    label: str
    signature: str | None
    needs_reason: bool


class NcrOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    title: str
    description: str
    source: NcrSource
    severity: Severity
    status: NcrStatus
    item_id: int | None
    item: str | None = Field(None, alias="item.code")
    lot_id: int | None
    lot: str | None = Field(None, alias="lot.lot_number")
    quantity: Decimal | None
    uom: str
    supplier_id: int | None
    supplier: str | None = Field(None, alias="supplier.code")
    supplier_lot_number: str
    equipment_id: int | None
    equipment: str | None = Field(None, alias="equipment.code")
    equipment_status: str
    equipment_calibration_due_on: date | None
    hold_event_id: str | None = Field(None, alias="hold_event.event_id")
    due_on: date | None
    overdue: bool
    age_days: int
    opened_by: str | None = Field(None, alias="opened_by.username")
    opened_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_overdue(ncr) -> bool:
        return selectors.is_overdue(ncr, timezone.localdate())

    @staticmethod
    def resolve_age_days(ncr) -> int:
        return selectors.age_in_days(ncr, timezone.localdate())


class NcrDetailOut(NcrOut):
    dispositions: list[DispositionOut]
    allowed_actions: list[ActionOut] = Field(
        [], description="The workflow actions the caller may take now"
    )

    @staticmethod
    def resolve_dispositions(ncr) -> list:
        return list(ncr.dispositions.select_related("decided_by"))

    @staticmethod
    def resolve_allowed_actions(ncr, context) -> list[dict]:
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "signature": t.signature,
                "needs_reason": t.needs_reason,
            }
            for t in NCR.allowed(ncr, context["request"].user)
        ]


class NcrIn(Schema):
    site: str = Field(..., description="Site code")
    title: str
    description: str
    source: NcrSource
    severity: Severity
    lot_id: int | None = Field(None, description="A lot at the site; its item and supplier follow")
    item_id: int | None = None
    quantity: Decimal | None = Field(None, gt=0)
    uom: str = ""
    supplier_id: int | None = None
    supplier_lot_number: str = ""
    equipment_id: int | None = Field(None, description="Equipment at the site")
    due_on: date | None = None
    hold: bool = Field(True, description="Hold the lot (a trace event) while the NCR is open")


class NcrQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: NcrStatus | None = None
    severity: Severity | None = None
    source: NcrSource | None = None
    lot_id: int | None = None
    open: bool | None = Field(None, description="Only NCRs not yet closed or cancelled")
    overdue: bool | None = Field(None, description="Only open NCRs past their due date")


class DispositionIn(Schema):
    decision: Decision
    quantity: Decimal = Field(..., gt=0)
    justification: str


class ExecutionIn(Schema):
    note: str = Field(..., description="How the disposition was carried out")


class NcrActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


@router.get("/ncrs", response=list[NcrOut])
@paginate(Pages)
def list_ncrs(request, filters: Query[NcrQuery]):
    records = selectors.visible_nonconformances(request.user)
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    for name in ("status", "severity", "source", "lot_id"):
        value = getattr(filters, name)
        if value is not None:
            records = records.filter(**{name: value})
    if filters.open:
        records = records.filter(status__in=selectors.OPEN_STATES)
    if filters.overdue:
        records = selectors.overdue(records, timezone.localdate())
    return records


def _in_organization(model, pk: int | None, site: Site):
    """Master data (an item, a supplier) by id in the site's organization, or 404."""
    if pk is None:
        return None
    return get_object_or_404(model, organization_id=site.organization_id, pk=pk)


@router.post("/ncrs", response={201: NcrDetailOut, **WRITE_ERRORS})
def open_ncr(request, payload: NcrIn):
    site = access.get_scoped_or_404(
        Site.objects.all(),
        request.user,
        perm="quality.add_nonconformance",
        code=payload.site.upper(),
    )
    require_perm(request, "quality.add_nonconformance", site)
    lot = equipment = None
    if payload.lot_id is not None:
        lot = access.get_scoped_or_404(
            Lot.objects.all(), request.user, perm="trace.view_traceobject", pk=payload.lot_id
        )
    if payload.equipment_id is not None:
        equipment = access.get_scoped_or_404(
            Equipment.objects.all(), request.user, pk=payload.equipment_id
        )
    ncr = ncrs.open_nonconformance(
        site=site,
        title=payload.title,
        description=payload.description,
        source=payload.source,
        severity=payload.severity,
        lot=lot,
        item=_in_organization(Item, payload.item_id, site),
        quantity=payload.quantity,
        uom=payload.uom,
        supplier=_in_organization(Supplier, payload.supplier_id, site),
        supplier_lot_number=payload.supplier_lot_number,
        equipment=equipment,
        due_on=payload.due_on,
        hold=payload.hold,
        by=request.user,
    )
    return Status(201, selectors.get_nonconformance_or_404(request.user, ncr.pk))


@router.get("/ncrs/{int:pk}", response={200: NcrDetailOut, **READ_ERRORS})
def get_ncr(request, pk: int):
    return selectors.get_nonconformance_or_404(request.user, pk)


@router.post("/ncrs/{int:pk}/dispositions", response={201: DispositionOut, **WRITE_ERRORS})
def add_disposition(request, pk: int, payload: DispositionIn):
    """An MRB decision on part of the quantity, while the NCR is under review."""
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    require_perm(request, "quality.review_nonconformance", ncr)
    row = ncrs.add_disposition(
        ncr,
        decision=payload.decision,
        quantity=payload.quantity,
        justification=payload.justification,
        by=request.user,
    )
    return Status(201, row)


@router.post(
    "/ncrs/{int:pk}/dispositions/{int:disposition}/carried-out",
    response={200: DispositionOut, **WRITE_ERRORS},
)
def execute_disposition(request, pk: int, disposition: int, payload: ExecutionIn):
    """Record an approved disposition as carried out: a lot returned to its supplier or
    scrapped gets its trace event (shipping to the supplier / destroying)."""
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    require_perm(request, "quality.review_nonconformance", ncr)
    row = get_object_or_404(ncr.dispositions, pk=disposition)
    return ncrs.execute_disposition(row, note=payload.note, by=request.user)


ACTIONS = {
    "start_review": lambda ncr, user, body: ncrs.start_review(ncr, by=user, reason=body.reason),
    "approve_dispositions": lambda ncr, user, body: ncrs.approve_dispositions(
        ncr, by=user, password=body.password, reason=body.reason
    ),
    "close": lambda ncr, user, body: ncrs.close(
        ncr, by=user, password=body.password, reason=body.reason
    ),
    "cancel": lambda ncr, user, body: ncrs.cancel(ncr, by=user, reason=body.reason),
}


@router.post("/ncrs/{int:pk}/actions/{name}", response={200: NcrDetailOut, **WRITE_ERRORS})
def take_action(request, pk: int, name: str, payload: NcrActionIn):
    """Take a workflow action: start_review, approve_dispositions (signature: approved),
    close (signature: verified), cancel (reason required). 409 when the NCR's status does not
    allow it, 403 without the permission or when the signature is refused."""
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    transition = NCR.transition(name)
    require_perm(request, transition.permission, ncr)
    ACTIONS[transition.name](ncr, request.user, payload)
    return selectors.get_nonconformance_or_404(request.user, pk)
