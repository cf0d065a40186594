"""Inspection plans and records over the REST API, mounted at /api/v1/quality beside the NCRs.
Plans are organization-wide master data; records are read within the caller's sites. Writes
call the same services as the pages: a record's sample sizes are fixed when it starts, its
results are posted in batches, and its status moves only through POST .../actions/{name}
(completion is signed with the caller's password, entered now; the verdict follows from the
results, and a rejection opens an NCR that holds the lot)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.catalog import selectors as catalog_selectors
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.equipment import selectors as equipment_selectors
from medtrace.equipment.choices import EquipmentType
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality import inspection_selectors as selectors
from medtrace.quality.choices import (
    CharacteristicKind,
    DefectClass,
    InspectionLevel,
    InspectionSeverity,
    InspectionStage,
    InspectionStatus,
    InspectionVerdict,
)
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.quality.workflows import INSPECTION
from medtrace.trace.models import Lot

router = Router(tags=["inspections"])

ADD_PLAN = "quality.add_inspectionplan"
CHANGE_PLAN = "quality.change_inspectionplan"
ADD = "quality.add_inspectionrecord"


# --- schemas ---------------------------------------------------------------------------------


class CharacteristicOut(Schema):
    id: int
    position: int
    name: str
    kind: CharacteristicKind
    defect_class: DefectClass
    unit: str
    lower_limit: Decimal | None
    target: Decimal | None
    upper_limit: Decimal | None
    equipment_type: str
    method: str


class InspectionPlanOut(Schema):
    id: int
    code: str
    name: str
    stage: InspectionStage
    item_id: int | None
    item: str | None = Field(None, alias="item.code")
    inspection_level: InspectionLevel
    aql_critical: str
    aql_major: str
    aql_minor: str
    active: bool
    created_at: datetime


class PlanDetailOut(InspectionPlanOut):
    characteristics: list[CharacteristicOut]

    @staticmethod
    def resolve_characteristics(plan) -> list:
        return list(plan.characteristics.all())


class CharacteristicIn(Schema):
    name: str
    kind: CharacteristicKind
    defect_class: DefectClass
    unit: str = ""
    lower_limit: Decimal | None = None
    target: Decimal | None = None
    upper_limit: Decimal | None = None
    equipment_type: EquipmentType | None = Field(
        None, description="The kind of equipment it is checked with, if any"
    )
    method: str = ""


class InspectionPlanIn(Schema):
    code: str
    name: str
    stage: InspectionStage
    item_id: int | None = Field(None, description="Leave out for a plan used on any item")
    inspection_level: InspectionLevel = InspectionLevel.II
    aql_critical: str = Field("", description="An AQL of ISO 2859-1's series, or empty")
    aql_major: str = ""
    aql_minor: str = ""
    characteristics: list[CharacteristicIn] = Field(..., description="In the order checked")


class PlanActiveIn(Schema):
    active: bool
    reason: str = ""


class PlanQuery(Schema):
    stage: InspectionStage | None = None
    item_id: int | None = None
    active: bool | None = None


class ActionOut(Schema):
    name: str
    label: str
    signature: str | None
    needs_reason: bool


class InstrumentOut(Schema):
    equipment_id: int
    equipment: str = Field(..., alias="equipment.code")
    calibration_due_on: date | None


class ResultOut(Schema):
    characteristic_id: int
    sample: int
    passed: bool | None
    value: Decimal | None
    conforming: bool
    note: str
    recorded_by: str | None = Field(None, alias="recorded_by.username")
    recorded_at: datetime


class InspectionOut(Schema):
    id: int
    number: str
    site: str = Field(..., alias="site.code")
    plan_id: int
    plan: str = Field(..., alias="plan.code")
    stage: InspectionStage
    lot_id: int | None
    lot: str | None = Field(None, alias="lot.lot_number")
    supplier_id: int | None
    supplier: str | None = Field(None, alias="supplier.code")
    lot_size: int
    severity: InspectionSeverity
    sample_size: int = Field(..., description="Units to draw: the largest class sample")
    status: InspectionStatus
    verdict: InspectionVerdict | None
    inspector: str | None = Field(None, alias="inspector.username")
    started_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_verdict(record) -> str | None:
        return record.verdict or None


class InspectionDetailOut(InspectionOut):
    sampling: dict[str, dict[str, Any]] = Field(
        ...,
        description="Per defect class: aql, level, severity, code_letter, plan_letter, "
        "sample_size, accept, reject, inspect_all",
    )
    verdict_detail: dict[str, dict[str, Any]] = Field(
        ..., description="Per defect class, once completed: defectives, accept, reject, verdict"
    )
    equipment: list[InstrumentOut]
    results: list[ResultOut]
    missing_results: int
    nonconformance_id: int | None = Field(None, description="The NCR a rejection opened")
    nonconformance: str | None = None
    allowed_actions: list[ActionOut] = Field(
        [], description="The workflow actions the caller may take now"
    )

    @staticmethod
    def resolve_equipment(record) -> list:
        return list(record.instruments.select_related("equipment").order_by("pk"))

    @staticmethod
    def resolve_results(record) -> list:
        return list(record.results.select_related("recorded_by"))

    @staticmethod
    def resolve_missing_results(record) -> int:
        return inspections.missing_results(record)

    @staticmethod
    def resolve_nonconformance_id(record, context) -> int | None:
        ncr = _ncr(record, context)
        return ncr.pk if ncr else None

    @staticmethod
    def resolve_nonconformance(record, context) -> str | None:
        ncr = _ncr(record, context)
        return ncr.number if ncr else None

    @staticmethod
    def resolve_allowed_actions(record, context) -> list[dict]:
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "signature": t.signature,
                "needs_reason": t.needs_reason,
            }
            for t in INSPECTION.allowed(record, context["request"].user)
        ]


def _ncr(record, context):
    if not hasattr(record, "_ncr"):
        record._ncr = selectors.nonconformance_of(context["request"].user, record)
    return record._ncr


class InspectionQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: InspectionStatus | None = None
    verdict: InspectionVerdict | None = None
    stage: InspectionStage | None = None
    plan_id: int | None = None
    lot_id: int | None = None


class InspectionIn(Schema):
    site: str = Field(..., description="Site code")
    plan_id: int
    lot_id: int | None = Field(None, description="A lot at the site; its supplier follows")
    lot_size: int = Field(..., gt=0, description="Units in the lot: it sizes the sample")
    equipment_ids: list[int] = Field([], description="Equipment at the site, used now")


class ResultIn(Schema):
    characteristic_id: int
    sample: int = Field(..., ge=1, description="1 = the first unit drawn")
    passed: bool | None = Field(None, description="For pass / fail characteristics")
    value: Decimal | None = Field(
        None, max_digits=18, decimal_places=6, description="For measured characteristics"
    )
    note: str = Field("", max_length=200)


class ResultsIn(Schema):
    results: list[ResultIn]


class InspectionActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


# --- plans -----------------------------------------------------------------------------------


@router.get("/inspection-plans", response=list[InspectionPlanOut])
@paginate(Pages)
def list_plans(request, filters: Query[PlanQuery]):
    plans = selectors.visible_plans(request.user).order_by("code")
    for name in ("stage", "item_id", "active"):
        value = getattr(filters, name)
        if value is not None:
            plans = plans.filter(**{name: value})
    return plans


@router.post("/inspection-plans", response={201: PlanDetailOut, **WRITE_ERRORS})
def create_plan(request, payload: InspectionPlanIn):
    """A plan with its characteristics (QA managers). Each characteristic's defect class
    needs an AQL on the plan; a measured one needs its unit and a limit."""
    require_perm(request, ADD_PLAN)
    item = None
    if payload.item_id is not None:
        item = _found(catalog_selectors.visible_items(request.user), payload.item_id)
    plan = inspection_plans.create_plan(
        organization=request.user.organization,
        code=payload.code,
        name=payload.name,
        stage=payload.stage,
        item=item,
        inspection_level=payload.inspection_level,
        aql_critical=payload.aql_critical,
        aql_major=payload.aql_major,
        aql_minor=payload.aql_minor,
        characteristics=[
            {**row.model_dump(), "equipment_type": row.equipment_type or ""}
            for row in payload.characteristics
        ],
        by=request.user,
    )
    return Status(201, selectors.get_plan_or_404(request.user, plan.pk))


@router.get("/inspection-plans/{int:pk}", response={200: PlanDetailOut, **READ_ERRORS})
def get_plan(request, pk: int):
    return selectors.get_plan_or_404(request.user, pk)


@router.post("/inspection-plans/{int:pk}/active", response={200: PlanDetailOut, **WRITE_ERRORS})
def set_plan_active(request, pk: int, payload: PlanActiveIn):
    """Withdraw a plan from use (`active: false`) or return it; the reason is required."""
    plan = selectors.get_plan_or_404(request.user, pk)
    require_perm(request, CHANGE_PLAN)
    inspection_plans.set_plan_active(
        plan, active=payload.active, reason=payload.reason, by=request.user
    )
    return selectors.get_plan_or_404(request.user, pk)


# --- records ---------------------------------------------------------------------------------


@router.get("/inspections", response=list[InspectionOut])
@paginate(Pages)
def list_inspections(request, filters: Query[InspectionQuery]):
    records = selectors.visible_inspections(request.user)
    if filters.site:
        records = records.filter(site__code=filters.site.upper())
    for name in ("status", "verdict", "stage", "plan_id", "lot_id"):
        value = getattr(filters, name)
        if value is not None:
            records = records.filter(**{name: value})
    return records


def _found(queryset, pk: int):
    """The record with id `pk` among those the caller may see; 404 otherwise."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.post("/inspections", response={201: InspectionDetailOut, **WRITE_ERRORS})
def start_inspection(request, payload: InspectionIn):
    """Start inspecting a lot against a plan: the sample sizes and acceptance numbers are fixed
    now, from the plan's AQLs and the supplier's switching state. The equipment must be at the
    site, in service and in calibration."""
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=payload.site.upper())
    require_perm(request, ADD, site)
    plan = _found(selectors.visible_plans(request.user), payload.plan_id)
    lot = None
    if payload.lot_id is not None:
        lot = access.get_scoped_or_404(
            Lot.objects.select_related("item", "supplier"),
            request.user,
            perm="trace.view_traceobject",
            pk=payload.lot_id,
        )
    wanted = set(payload.equipment_ids)
    equipment = list(
        equipment_selectors.visible_equipment(request.user).filter(pk__in=wanted).order_by("pk")
    )
    if len(equipment) != len(wanted):
        raise Http404  # equipment the caller may not see, or none
    record = inspections.start_inspection(
        site=site,
        plan=plan,
        lot=lot,
        lot_size=payload.lot_size,
        equipment=equipment,
        by=request.user,
    )
    return Status(201, selectors.get_inspection_or_404(request.user, record.pk))


@router.get("/inspections/{int:pk}", response={200: InspectionDetailOut, **READ_ERRORS})
def get_inspection(request, pk: int):
    return selectors.get_inspection_or_404(request.user, pk)


@router.post("/inspections/{int:pk}/results", response={200: InspectionDetailOut, **WRITE_ERRORS})
def record_results(request, pk: int, payload: ResultsIn):
    """Record (or correct, while in progress) results: `passed` for pass / fail
    characteristics, `value` for measured ones. All or nothing: one refused result records
    none."""
    record = selectors.get_inspection_or_404(request.user, pk)
    require_perm(request, ADD, record)
    inspections.record_results(
        record,
        [
            {
                "characteristic": row.characteristic_id,
                "sample": row.sample,
                "passed": row.passed,
                "value": row.value,
                "note": row.note,
            }
            for row in payload.results
        ],
        by=request.user,
    )
    return selectors.get_inspection_or_404(request.user, pk)


ACTIONS = {
    "complete": lambda record, user, body: inspections.complete_inspection(
        record, by=user, password=body.password, reason=body.reason
    ),
    "cancel": lambda record, user, body: inspections.cancel_inspection(
        record, by=user, reason=body.reason
    ),
}


@router.post(
    "/inspections/{int:pk}/actions/{name}", response={200: InspectionDetailOut, **WRITE_ERRORS}
)
def take_action(request, pk: int, name: str, payload: InspectionActionIn):
    """Take a workflow action: complete (signature: verified; every result recorded), cancel
    (reason required). 409 when the record's status does not allow it, 403 without the
    permission or when the signature is refused."""
    record = selectors.get_inspection_or_404(request.user, pk)
    transition = INSPECTION.transition(name)
    require_perm(request, transition.permission, record)
    ACTIONS[transition.name](record, request.user, payload)
    return selectors.get_inspection_or_404(request.user, pk)
