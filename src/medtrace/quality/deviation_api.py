"""Deviations over the REST API, mounted at /api/v1/quality beside the NCRs. Reads are scoped
to the caller's sites; writes call the same services as the pages. A deviation is described,
rescoped and assessed by PATCH while open; its closure summary is written once approved; its
status moves only through POST .../actions/{name}, the deviation workflow's transitions
(approval and closure take the caller's password, entered now). Times without a zone are read
in the deviation's site's time zone."""

import zoneinfo
from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.equipment.models import Equipment
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality import capa_selectors
from medtrace.quality import deviation_selectors as selectors
from medtrace.quality.capa_api import AllowedActionOut, CapaDetailOut, allowed_actions
from medtrace.quality.choices import CapaStatus, DeviationKind, DeviationStatus, RiskLevel
from medtrace.quality.services import capa as capas
from medtrace.quality.services import deviation as deviations
from medtrace.quality.workflows import DEVIATION
from medtrace.trace.models import Lot

router = Router(tags=["deviations"])

ADD = "quality.add_deviation"
CHANGE = "quality.change_deviation"
ADD_CAPA = "quality.add_capa"


class DeviationLotOut(Schema):
    id: int
    lot_number: str
    item_id: int
    item: str = Field(..., alias="item.code")


class ScopeLotOut(DeviationLotOut):
    release_blocked_by: list[str] = Field(
        [], description="The deviations not closed (this one or others) naming the lot"
    )

    @staticmethod
    def resolve_release_blocked_by(lot) -> list[str]:
        return [deviation.number for deviation in lot.blocked_by]


class DeviationCapaRefOut(Schema):
    id: int
    number: str
    status: CapaStatus


class DeviationOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    kind: DeviationKind
    title: str
    description: str
    status: DeviationStatus
    lots: list[DeviationLotOut]
    equipment_id: int | None
    equipment: str | None = Field(None, alias="equipment.code")
    operation: str
    window_start: datetime | None
    window_end: datetime | None
    impact_assessment: str
    risk_level: str
    closure_summary: str
    age_days: int
    opened_by: str | None = Field(None, alias="opened_by.username")
    opened_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_lots(deviation) -> list:
        return list(deviation.lots.all())

    @staticmethod
    def resolve_age_days(deviation) -> int:
        return selectors.age_in_days(deviation, timezone.localdate())


class DeviationDetailOut(DeviationOut):
    lots: list[ScopeLotOut]
    capas: list[DeviationCapaRefOut]
    allowed_actions: list[AllowedActionOut] = Field(
        [], description="The workflow actions the caller may take now"
    )

    @staticmethod
    def resolve_lots(deviation) -> list:
        return selectors.lots_in_scope(deviation)

    @staticmethod
    def resolve_capas(deviation) -> list:
        return list(deviation.capas.order_by("pk"))

    @staticmethod
    def resolve_allowed_actions(deviation, context) -> list[dict]:
        return allowed_actions(DEVIATION, deviation, context["request"].user)


class DeviationIn(Schema):
    site: str = Field(..., description="Site code")
    kind: DeviationKind
    title: str
    description: str
    lot_ids: list[int] = Field([], description="Lots at the site; blocked from release")
    equipment_id: int | None = Field(None, description="Equipment at the site")
    operation: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    impact_assessment: str = ""
    risk_level: RiskLevel | None = None


class DeviationPatch(Schema):
    """The fields to change; those left out stay as they are."""

    reason: str = ""
    title: str | None = None
    description: str | None = None
    lot_ids: list[int] | None = Field(None, description="The whole new list of lots")
    equipment_id: int | None = None
    operation: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    impact_assessment: str | None = None
    risk_level: RiskLevel | None = None


class DeviationQuery(Schema):
    site: str | None = Field(None, description="Site code")
    kind: DeviationKind | None = None
    status: DeviationStatus | None = None
    risk_level: RiskLevel | None = None
    lot_id: int | None = None
    open: bool | None = Field(None, description="Only deviations not yet closed or cancelled")


class SummaryIn(Schema):
    summary: str


class DeviationActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


def _lots(request, ids: list[int]) -> list[Lot]:
    """The lots the caller may see, in the order given; 404 when one is not."""
    wanted = list(dict.fromkeys(ids))
    found = access.scoped(Lot.objects.all(), request.user, perm="trace.view_traceobject").in_bulk(
        wanted
    )
    if len(found) != len(wanted):
        raise Http404
    return [found[pk] for pk in wanted]


def _equipment(request, pk: int | None) -> Equipment | None:
    if pk is None:
        return None
    return access.get_scoped_or_404(Equipment.objects.all(), request.user, pk=pk)


def _in_site_zone(value: datetime | None, site: Site) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, zoneinfo.ZoneInfo(site.time_zone))


def _listed(user):
    lots = Prefetch("lots", queryset=Lot.objects.select_related("item").order_by("pk"))
    return selectors.visible_deviations(user).prefetch_related(lots)


@router.get("/deviations", response=list[DeviationOut])
@paginate(Pages)
def list_deviations(request, filters: Query[DeviationQuery]):
    records = _listed(request.user)
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    for name in ("kind", "status", "risk_level"):
        value = getattr(filters, name)
        if value is not None:
            records = records.filter(**{name: value})
    if filters.lot_id is not None:
        records = records.filter(lots=filters.lot_id)
    if filters.open:
        records = records.filter(status__in=selectors.OPEN_STATES)
    return records


@router.post("/deviations", response={201: DeviationDetailOut, **WRITE_ERRORS})
def open_deviation(request, payload: DeviationIn):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm=ADD, code=payload.site.upper()
    )
    require_perm(request, ADD, site)
    deviation = deviations.open_deviation(
        site=site,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        lots=_lots(request, payload.lot_ids),
        equipment=_equipment(request, payload.equipment_id),
        operation=payload.operation,
        window_start=_in_site_zone(payload.window_start, site),
        window_end=_in_site_zone(payload.window_end, site),
        impact_assessment=payload.impact_assessment,
        risk_level=payload.risk_level or "",
        by=request.user,
    )
    return Status(201, selectors.get_deviation_or_404(request.user, deviation.pk))


@router.get("/deviations/{int:pk}", response={200: DeviationDetailOut, **READ_ERRORS})
def get_deviation(request, pk: int):
    return selectors.get_deviation_or_404(request.user, pk)


@router.patch("/deviations/{int:pk}", response={200: DeviationDetailOut, **WRITE_ERRORS})
def update_deviation(request, pk: int, payload: DeviationPatch):
    """Describe, rescope or assess a deviation while it is open (409 once approved)."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    require_perm(request, CHANGE, deviation)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    lots = _lots(request, changes.pop("lot_ids") or []) if "lot_ids" in changes else None
    if "equipment_id" in changes:
        changes["equipment"] = _equipment(request, changes.pop("equipment_id"))
    for name in ("window_start", "window_end"):
        if name in changes:
            changes[name] = _in_site_zone(changes[name], deviation.site)
    if "risk_level" in changes:
        changes["risk_level"] = changes["risk_level"] or ""
    deviations.update_deviation(deviation, by=request.user, reason=reason, lots=lots, **changes)
    return selectors.get_deviation_or_404(request.user, pk)


@router.post(
    "/deviations/{int:pk}/closure-summary", response={200: DeviationDetailOut, **WRITE_ERRORS}
)
def record_closure_summary(request, pk: int, payload: SummaryIn):
    """What was done and found, once the deviation is approved; the closing signature covers
    it."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    require_perm(request, CHANGE, deviation)
    deviations.record_closure_summary(deviation, summary=payload.summary, by=request.user)
    return selectors.get_deviation_or_404(request.user, pk)


ACTIONS = {
    "approve": lambda deviation, user, body: deviations.approve(
        deviation, by=user, password=body.password, reason=body.reason
    ),
    "close": lambda deviation, user, body: deviations.close(
        deviation, by=user, password=body.password, reason=body.reason
    ),
    "cancel": lambda deviation, user, body: deviations.cancel(
        deviation, by=user, reason=body.reason
    ),
}


@router.post(
    "/deviations/{int:pk}/actions/{name}", response={200: DeviationDetailOut, **WRITE_ERRORS}
)
def take_action(request, pk: int, name: str, payload: DeviationActionIn):
    """Take a workflow action: approve (signature: approved; the impact and risk assessed
    first), close (signature: verified; the closure summary written first), cancel (reason
    required). 409 when the deviation's status or content does not allow it, 403 without the
    permission or when the signature is refused."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    transition = DEVIATION.transition(name)
    require_perm(request, transition.permission, deviation)
    ACTIONS[transition.name](deviation, request.user, payload)
    return selectors.get_deviation_or_404(request.user, pk)


@router.post("/deviations/{int:pk}/escalate", response={201: CapaDetailOut, **WRITE_ERRORS})
def escalate(request, pk: int):
    """Open a CAPA whose problem is the deviation."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    require_perm(request, ADD_CAPA, deviation)
    capa = capas.escalate_deviation(deviation, by=request.user)
    return Status(201, capa_selectors.get_capa_or_404(request.user, capa.pk))
