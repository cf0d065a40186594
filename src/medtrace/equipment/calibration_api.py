"""Calibration, maintenance, impact reviews and the usability question over the REST API,
mounted under /api/v1/equipment with the ledger. Reads are scoped to the caller's sites; writes
call the same services as the pages and need the permission at the equipment's site. A
calibration is drafted by POST, its certificate attached while it is a draft, and verified by
POST .../actions/verify with the caller's password (signature meaning verified). Times without
a zone are read in the equipment's site's time zone."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Router, Schema, Status, UploadedFile

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.equipment import calibration_selectors, selectors
from medtrace.equipment.choices import (
    CalibrationResult,
    CalibrationStatus,
    ImpactReviewStatus,
    MaintenanceKind,
    MaintenanceResult,
)
from medtrace.equipment.services import calibration, impact, maintenance, usability
from medtrace.equipment.workflows import CALIBRATION, IMPACT_REVIEW
from medtrace.quality.capa_api import AllowedActionOut, allowed_actions
from medtrace.quality.choices import Severity

router = Router(tags=["calibration and maintenance"])

ADD = "equipment.add_calibrationrecord"
CHANGE_REVIEW = "equipment.change_impactreview"


class CalibrationReadingIn(Schema):
    point: str = ""
    nominal: Decimal
    tolerance: Decimal = Field(..., description="± around the nominal value")
    as_found: Decimal
    as_left: Decimal | None = None
    unit: str = ""


class CalibrationReadingOut(Schema):
    point: str
    nominal: str
    tolerance: str
    as_found: str
    as_left: str
    unit: str


class CalibrationIn(Schema):
    performed_on: date
    performed_by_id: int | None = Field(None, description="One of us; or external_lab")
    external_lab: str = ""
    reference_standard: str
    reference_certificate: str = ""
    traceability: str
    as_found: str
    as_left: str
    readings: list[CalibrationReadingIn] = []
    result: CalibrationResult
    certificate_number: str = ""
    corrects_id: int | None = Field(None, description="The verified record this one corrects")
    correction_reason: str = ""


class CalibrationOut(Schema):
    id: int
    number: str
    equipment_id: int
    equipment: str = Field(..., alias="equipment.code")
    site: str = Field(..., alias="site.code")
    status: CalibrationStatus
    performed_on: date
    performed_by: str | None = Field(None, alias="performed_by.username")
    external_lab: str
    reference_standard: str
    reference_certificate: str
    traceability: str
    as_found: str
    as_left: str
    readings: list[CalibrationReadingOut]
    result: CalibrationResult
    certificate_number: str
    has_certificate: bool
    next_due_on: date | None
    corrects_id: int | None
    correction_reason: str
    recorded_at: datetime
    verified_by: str | None = Field(None, alias="verified_by.username")
    verified_at: datetime | None
    impact_review_id: int | None

    @staticmethod
    def resolve_has_certificate(record) -> bool:
        return bool(record.certificate)

    @staticmethod
    def resolve_impact_review_id(record) -> int | None:
        review = getattr(record, "impact_review", None)
        return review.pk if review else None


class CalibrationDetailOut(CalibrationOut):
    allowed_actions: list[AllowedActionOut] = []

    @staticmethod
    def resolve_allowed_actions(record, context) -> list[dict]:
        return allowed_actions(CALIBRATION, record, context["request"].user)


class CalibrationActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


class UsableOut(Schema):
    equipment_id: int
    code: str
    at: datetime
    usable: bool
    status: str
    rules: list[str] = Field(..., description="UsabilityRule values, one per refusing rule")
    reasons: list[str] = Field(..., description="Translated, in the order of `rules`")


class CalibrationLotOut(Schema):
    id: int
    lot_number: str
    item: str
    event_count: int
    inspection_count: int


class ImpactEventOut(Schema):
    id: int
    event_id: str
    event_type: str
    event_time: datetime
    biz_step: str
    lot_ids: list[int]


class ImpactInspectionOut(Schema):
    id: int
    number: str
    lot_id: int | None
    started_at: datetime
    status: str


class CalibrationImpactOut(Schema):
    id: int
    calibration_id: int
    calibration: str
    equipment_id: int
    read_point: str
    status: ImpactReviewStatus
    window_start: datetime | None
    window_end: datetime
    since_calibration_id: int | None
    lots: list[CalibrationLotOut]
    events: list[ImpactEventOut]
    inspections: list[ImpactInspectionOut]
    deviation: str | None
    nonconformance: str | None
    assessment: str
    concluded_at: datetime | None
    allowed_actions: list[AllowedActionOut] = []


class OpenIn(Schema):
    record: str = Field(..., pattern="^(deviation|ncr)$")
    severity: Severity = Severity.MAJOR
    title: str = ""


class OpenOut(Schema):
    record: str
    id: int
    number: str


class AssessmentIn(Schema):
    assessment: str


class CalibrationPlanIn(Schema):
    task: str
    interval_days: int = Field(..., ge=1)
    instructions: str = ""
    next_due_on: date | None = Field(None, description="Default: one interval from today")


class PlanPatch(Schema):
    task: str | None = None
    interval_days: int | None = Field(None, ge=1)
    instructions: str | None = None
    next_due_on: date | None = None
    active: bool | None = None
    reason: str = ""


class CalibrationPlanOut(Schema):
    id: int
    equipment_id: int
    task: str
    instructions: str
    interval_days: int
    last_done_on: date | None
    next_due_on: date
    active: bool
    overdue: bool

    @staticmethod
    def resolve_overdue(plan) -> bool:
        return plan.is_overdue(usability.local_day(plan.equipment))


class MaintenanceIn(Schema):
    kind: MaintenanceKind
    performed_on: date
    performed_by_id: int | None = Field(None, description="One of us; or external_party")
    external_party: str = ""
    work_done: str
    parts: str = ""
    result: MaintenanceResult
    plan_id: int | None = None
    returns_to_service: bool = False
    corrects_id: int | None = None
    correction_reason: str = ""


class MaintenanceOut(Schema):
    id: int
    number: str
    equipment_id: int
    plan_id: int | None
    kind: MaintenanceKind
    performed_on: date
    performed_by: str | None = Field(None, alias="performed_by.username")
    external_party: str
    work_done: str
    parts: str
    result: MaintenanceResult
    returned_to_service: bool
    corrects_id: int | None
    correction_reason: str
    recorded_at: datetime


def _person(request, pk: int | None):
    if pk is None:
        return None
    return get_object_or_404(
        get_user_model(), pk=pk, organization_id=request.user.organization_id, is_active=True
    )


def _in_site_zone(value: datetime | None, equipment) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, usability.zone_of(equipment))


# ---------------------------------------------------------------- usability


@router.get("/{int:pk}/usable", response={200: UsableOut, **READ_ERRORS})
def usable(request, pk: int, at: datetime | None = None):
    """May the equipment be used at `at` (default now), and if not, each rule that refuses
    it: retired, out of service (why, who), calibration overdue, failed, never calibrated."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    verdict = usability.is_usable(equipment, _in_site_zone(at, equipment))
    return {
        "equipment_id": equipment.pk,
        "code": equipment.code,
        "at": verdict.at,
        "usable": verdict.usable,
        "status": verdict.status,
        "rules": verdict.rules,
        "reasons": verdict.reasons,
    }


# ---------------------------------------------------------------- calibrations


@router.get("/{int:pk}/calibrations", response={200: list[CalibrationOut], **READ_ERRORS})
def list_calibrations(request, pk: int):
    """The equipment's calibration records, newest first."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    return calibration_selectors.visible_calibrations(request.user).filter(equipment=equipment)


@router.post("/{int:pk}/calibrations", response={201: CalibrationDetailOut, **WRITE_ERRORS})
def create_calibration(request, pk: int, payload: CalibrationIn):
    """Draft a calibration record; it counts once verified (POST .../actions/verify)."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, ADD, equipment)
    fields = payload.dict(exclude={"performed_by_id", "corrects_id", "readings"})
    corrects = None
    if payload.corrects_id is not None:
        corrects = get_object_or_404(equipment.calibrations.all(), pk=payload.corrects_id)
    readings = [
        {name: "" if value is None else str(value) for name, value in reading.dict().items()}
        for reading in payload.readings
    ]
    record = calibration.record_calibration(
        equipment=equipment, by=request.user,
        performed_by=_person(request, payload.performed_by_id),
        corrects=corrects, readings=readings, **fields,
    )  # fmt: skip
    return Status(201, calibration_selectors.get_calibration_or_404(request.user, record.pk))


@router.get("/calibrations/{int:pk}", response={200: CalibrationDetailOut, **READ_ERRORS})
def get_calibration(request, pk: int):
    return calibration_selectors.get_calibration_or_404(request.user, pk)


@router.post(
    "/calibrations/{int:pk}/certificate", response={200: CalibrationDetailOut, **WRITE_ERRORS}
)
def attach_certificate(request, pk: int, file: File[UploadedFile]):
    """The certificate's file (multipart/form-data, `file`), while the record is a draft."""
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    require_perm(request, ADD, record)
    calibration.attach_certificate(record, certificate=file, by=request.user)
    return calibration_selectors.get_calibration_or_404(request.user, pk)


CALIBRATION_ACTIONS = {
    "verify": lambda record, user, body: calibration.verify(
        record, by=user, password=body.password, reason=body.reason
    ),
    "cancel": lambda record, user, body: calibration.cancel(record, by=user, reason=body.reason),
}


@router.post(
    "/calibrations/{int:pk}/actions/{name}", response={200: CalibrationDetailOut, **WRITE_ERRORS}
)
def calibration_action(request, pk: int, name: str, payload: CalibrationActionIn):
    """verify (signature: verified, by someone other than who calibrated; a failure takes the
    equipment out of service and opens the impact review) or cancel a draft (reason)."""
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    transition = CALIBRATION.transition(name)
    require_perm(request, transition.permission, record)
    CALIBRATION_ACTIONS[transition.name](record, request.user, payload)
    return calibration_selectors.get_calibration_or_404(request.user, pk)


# ---------------------------------------------------------------- impact reviews


def _impact_body(request, review) -> dict:
    listed = calibration_selectors.impact_of_review(review)
    return {
        "id": review.pk,
        "calibration_id": review.calibration_id,
        "calibration": review.calibration.number,
        "equipment_id": review.equipment_id,
        "read_point": review.equipment.read_point,
        "status": review.status,
        "window_start": review.window_start,
        "window_end": review.window_end,
        "since_calibration_id": review.since_calibration_id,
        "lots": [
            {
                "id": lot.pk,
                "lot_number": lot.lot_number,
                "item": lot.item.code,
                "event_count": lot.event_count,
                "inspection_count": lot.inspection_count,
            }
            for lot in listed.lots
        ],
        "events": [
            {
                "id": entry.event.pk,
                "event_id": entry.event.event_id,
                "event_type": entry.event.event_type,
                "event_time": entry.event.event_time,
                "biz_step": entry.event.biz_step,
                "lot_ids": [lot.pk for lot in entry.lots],
            }
            for entry in listed.events
        ],
        "inspections": [
            {
                "id": record.pk,
                "number": record.number,
                "lot_id": record.lot_id,
                "started_at": record.started_at,
                "status": record.status,
            }
            for record in listed.inspections
        ],
        "deviation": review.deviation.number if review.deviation else None,
        "nonconformance": review.nonconformance.number if review.nonconformance else None,
        "assessment": review.assessment,
        "concluded_at": review.concluded_at,
        "allowed_actions": allowed_actions(IMPACT_REVIEW, review, request.user),
    }


@router.get("/calibrations/{int:pk}/impact", response={200: CalibrationImpactOut, **READ_ERRORS})
def calibration_impact(request, pk: int):
    """The impact list of a failed, verified calibration (404 for any other)."""
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    review = getattr(record, "impact_review", None)
    if review is None:
        raise Http404
    return _impact_body(request, calibration_selectors.get_review_or_404(request.user, review.pk))


@router.get("/impact-reviews/{int:pk}", response={200: CalibrationImpactOut, **READ_ERRORS})
def get_impact_review(request, pk: int):
    return _impact_body(request, calibration_selectors.get_review_or_404(request.user, pk))


@router.post("/impact-reviews/{int:pk}/open", response={201: OpenOut, **WRITE_ERRORS})
def open_from_review(request, pk: int, payload: OpenIn):
    """The review's one action: a deviation over the listed lots (blocked from release until
    it closes) or an NCR naming the equipment; 409 once one is opened."""
    review = calibration_selectors.get_review_or_404(request.user, pk)
    require_perm(request, CHANGE_REVIEW, review)
    if payload.record == "deviation":
        record = impact.open_deviation(review, by=request.user, title=payload.title)
    else:
        record = impact.open_nonconformance(
            review, by=request.user, title=payload.title, severity=payload.severity
        )
    return Status(201, {"record": payload.record, "id": record.pk, "number": record.number})


@router.post(
    "/impact-reviews/{int:pk}/assessment", response={200: CalibrationImpactOut, **WRITE_ERRORS}
)
def record_assessment(request, pk: int, payload: AssessmentIn):
    review = calibration_selectors.get_review_or_404(request.user, pk)
    require_perm(request, CHANGE_REVIEW, review)
    impact.record_assessment(review, assessment=payload.assessment, by=request.user)
    return _impact_body(request, calibration_selectors.get_review_or_404(request.user, pk))


@router.post(
    "/impact-reviews/{int:pk}/actions/{name}", response={200: CalibrationImpactOut, **WRITE_ERRORS}
)
def review_action(request, pk: int, name: str, payload: CalibrationActionIn):
    """conclude (signature: approved), over the assessment and the list it was written on."""
    review = calibration_selectors.get_review_or_404(request.user, pk)
    transition = IMPACT_REVIEW.transition(name)
    require_perm(request, transition.permission, review)
    impact.conclude(review, by=request.user, password=payload.password, reason=payload.reason)
    return _impact_body(request, calibration_selectors.get_review_or_404(request.user, pk))


# ---------------------------------------------------------------- maintenance


@router.get("/{int:pk}/maintenance-plans", response={200: list[CalibrationPlanOut], **READ_ERRORS})
def list_plans(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk)
    return calibration_selectors.maintenance_plans_of(equipment)


@router.post("/{int:pk}/maintenance-plans", response={201: CalibrationPlanOut, **WRITE_ERRORS})
def create_plan(request, pk: int, payload: CalibrationPlanIn):
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, "equipment.add_maintenanceplan", equipment)
    plan = maintenance.create_plan(equipment=equipment, by=request.user, **payload.dict())
    return Status(201, plan)


@router.patch("/maintenance-plans/{int:pk}", response={200: CalibrationPlanOut, **WRITE_ERRORS})
def update_plan(request, pk: int, payload: PlanPatch):
    """Change the task, interval or next due date, or stop the plan (active: false)."""
    plan = get_object_or_404(
        calibration_selectors.visible_plans(request.user).select_related("equipment__site"), pk=pk
    )
    require_perm(request, "equipment.change_maintenanceplan", plan)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return maintenance.update_plan(plan, by=request.user, reason=reason, **changes)


@router.get("/{int:pk}/maintenance", response={200: list[MaintenanceOut], **READ_ERRORS})
def list_maintenance(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk)
    return calibration_selectors.maintenance_records_of(equipment, limit=500)


@router.post("/{int:pk}/maintenance", response={201: MaintenanceOut, **WRITE_ERRORS})
def record_maintenance(request, pk: int, payload: MaintenanceIn):
    """Record maintenance done; with returns_to_service the equipment goes back in service
    (refused while it needs calibration and is not calibrated)."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, "equipment.add_maintenancerecord", equipment)
    plan = (
        get_object_or_404(equipment.maintenance_plans.all(), pk=payload.plan_id)
        if payload.plan_id is not None
        else None
    )
    corrects = (
        get_object_or_404(equipment.maintenance_records.all(), pk=payload.corrects_id)
        if payload.corrects_id is not None
        else None
    )
    fields = payload.dict(exclude={"performed_by_id", "plan_id", "corrects_id"})
    record = maintenance.record_maintenance(
        equipment=equipment, by=request.user,
        performed_by=_person(request, payload.performed_by_id),
        plan=plan, corrects=corrects, **fields,
    )  # fmt: skip
    return Status(201, record)
