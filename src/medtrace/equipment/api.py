"""The equipment ledger over the REST API, mounted at /api/v1/equipment. Reads are scoped to the
caller's sites (org.access); writes call the same services as the pages and need the
permission at the equipment's own site. Status changes only through POST .../status."""

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.equipment import selectors, services
from medtrace.equipment.choices import EquipmentStatus, EquipmentType
from medtrace.org import access
from medtrace.org.models import Location, Site

router = Router(tags=["equipment"])


class EquipmentOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    code: str
    name: str
    name_en: str
    equipment_type: EquipmentType
    model_number: str
    manufacturer: str
    serial_number: str
    location_id: int | None
    status: EquipmentStatus
    calibration_required: bool
    calibration_interval_days: int | None
    last_calibrated_on: date | None
    calibration_due_on: date | None
    calibration_overdue: bool
    maintenance_plan: str

    @staticmethod
    def resolve_calibration_overdue(equipment) -> bool:
        return equipment.is_calibration_overdue(equipment.site.local_date())


class EquipmentIn(Schema):
    site: str = Field(..., description="Site code")
    code: str
    name: str
    name_en: str = ""
    equipment_type: EquipmentType
    model_number: str = ""
    manufacturer: str = ""
    serial_number: str = ""
    location_id: int | None = None
    calibration_required: bool = False
    calibration_interval_days: int | None = Field(None, ge=1)
    last_calibrated_on: date | None = None
    maintenance_plan: str = ""


class EquipmentPatch(Schema):
    """Only the fields sent change; site, code and status stay (status: POST .../status), the
    calibration due date follows from the last calibration and the interval."""

    name: str | None = None
    name_en: str | None = None
    equipment_type: EquipmentType | None = None
    model_number: str | None = None
    manufacturer: str | None = None
    serial_number: str | None = None
    location_id: int | None = Field(None, description="A location at the same site; null clears")
    calibration_required: bool | None = None
    calibration_interval_days: int | None = Field(None, ge=1)
    last_calibrated_on: date | None = None
    maintenance_plan: str | None = None
    reason: str = ""


class EquipmentQuery(Schema):
    site: str | None = Field(None, description="Site code")
    equipment_type: EquipmentType | None = None
    status: EquipmentStatus | None = None
    due_within_days: int | None = Field(None, ge=0, description="Calibration due within N days")
    overdue: bool | None = Field(None, description="Only equipment with an overdue calibration")


class EquipmentStatusIn(Schema):
    status: EquipmentStatus
    reason: str


@router.get("", response=list[EquipmentOut])
@paginate(Pages)
def list_equipment(request, filters: Query[EquipmentQuery]):
    equipment = selectors.visible_equipment(request.user)
    # Due and overdue turn at the site's midnight: the day of the site asked for, or of the
    # first the caller may see.
    sites = access.visible_sites(request.user)
    if filters.site:
        equipment = equipment.filter(site__code=filters.site.upper())
        sites = sites.filter(code=filters.site.upper())
    site = sites.first()
    today = site.local_date() if site is not None else timezone.localdate()
    if filters.equipment_type:
        equipment = equipment.filter(equipment_type=filters.equipment_type)
    if filters.status:
        equipment = equipment.filter(status=filters.status)
    if filters.due_within_days is not None:
        equipment = selectors.due_within(equipment, filters.due_within_days, today)
    if filters.overdue:
        equipment = selectors.overdue(equipment, today)
    return equipment.order_by("site__code", "code")


def _location(request, location_id: int | None) -> Location | None:
    """The location by id among those the caller may see (404 otherwise); the service checks
    it is at the equipment's site."""
    if location_id is None:
        return None
    return access.get_scoped_or_404(Location.objects.all(), request.user, pk=location_id)


@router.post("", response={201: EquipmentOut, **WRITE_ERRORS})
def create_equipment(request, payload: EquipmentIn):
    site = access.get_scoped_or_404(
        Site.objects.all(), request.user, perm="equipment.add_equipment", code=payload.site.upper()
    )
    require_perm(request, "equipment.add_equipment", site)
    fields = payload.dict(exclude={"site", "code", "name", "equipment_type", "location_id"})
    if payload.location_id is not None:
        fields["location"] = _location(request, payload.location_id)
    equipment = services.create_equipment(
        site=site,
        code=payload.code,
        name=payload.name,
        equipment_type=payload.equipment_type,
        by=request.user,
        **fields,
    )
    return Status(201, equipment)


@router.get("/{int:pk}", response={200: EquipmentOut, **READ_ERRORS})
def get_equipment(request, pk: int):
    return selectors.get_equipment_or_404(request.user, pk)


@router.patch("/{int:pk}", response={200: EquipmentOut, **WRITE_ERRORS})
def update_equipment(request, pk: int, payload: EquipmentPatch):
    """Describe the equipment or record its calibration; 409 once it is retired."""
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, "equipment.change_equipment", equipment)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "location_id" in changes:
        changes["location"] = _location(request, changes.pop("location_id"))
    return services.update_equipment(equipment=equipment, by=request.user, reason=reason, **changes)


@router.post("/{int:pk}/status", response={200: EquipmentOut, **WRITE_ERRORS})
def change_status(request, pk: int, payload: EquipmentStatusIn):
    equipment = selectors.get_equipment_or_404(request.user, pk)
    require_perm(request, "equipment.change_equipment", equipment)
    return services.change_equipment_status(
        equipment=equipment, status=payload.status, reason=payload.reason, by=request.user
    )


# Calibration, maintenance, impact reviews and GET /{id}/usable live in their own module.
from medtrace.equipment.calibration_api import router as calibration_router  # noqa: E402

router.add_router("", calibration_router)

from medtrace.equipment.state_api import router as state_router  # noqa: E402

router.add_router("", state_router)
