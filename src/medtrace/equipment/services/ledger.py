"""The equipment ledger's writes, each in one transaction with its audit entry.

Status changes are operations with a reason (a TRANSITION in the audit trail; retired is
final); equipment that needs calibration goes back in service only while it is calibrated.
The calibration due date is never written by a caller, only computed here from the last
calibration and the interval; once the equipment has verified calibration records, the last
calibration follows from them (services.calibration) and is no longer typed in.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.equipment.choices import STATUS_TRANSITIONS, CalibrationStatus, EquipmentStatus
from medtrace.equipment.models import CalibrationRecord, Equipment
from medtrace.equipment.services import usability
from medtrace.org.models import Location, Site

EQUIPMENT_FIELDS = (
    "name",
    "name_en",
    "equipment_type",
    "model_number",
    "manufacturer",
    "serial_number",
    "location",
    "calibration_required",
    "calibration_interval_days",
    "last_calibrated_on",
    "maintenance_plan",
)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def calibration_due_on(equipment: Equipment) -> date | None:
    if not equipment.calibration_required or equipment.last_calibrated_on is None:
        return None
    return equipment.last_calibrated_on + timedelta(days=equipment.calibration_interval_days)


def _check(equipment: Equipment) -> None:
    validated(equipment)
    location: Location | None = equipment.location
    if location is not None and location.site_id != equipment.site_id:
        _refuse(
            ErrorCode.VALIDATION,
            _("Location %(path)s is not at site %(site)s.")
            % {"path": location.path, "site": equipment.site.code},
            "location",
        )
    if equipment.calibration_required and not equipment.calibration_interval_days:
        _refuse(
            ErrorCode.VALIDATION,
            _("Equipment that needs calibration needs a calibration interval."),
            "calibration_interval_days",
        )
    equipment.calibration_due_on = calibration_due_on(equipment)


def _duplicate(code: str, site: Site):
    _refuse(
        ErrorCode.DUPLICATE,
        _("Site %(site)s already has equipment %(code)s.") % {"site": site.code, "code": code},
        "code",
    )


@transaction.atomic
def create_equipment(*, site: Site, code: str, name: str, equipment_type: str, by=None, **fields):
    """Register equipment at `site`, in service; `fields` are any of EQUIPMENT_FIELDS."""
    unknown = set(fields) - set(EQUIPMENT_FIELDS)
    if unknown:
        raise TypeError(f"not settable here: {', '.join(sorted(unknown))}")
    code = code.strip().upper()
    if Equipment.objects.filter(site=site, code=code).exists():
        _duplicate(code, site)
    equipment = Equipment(
        organization_id=site.organization_id,
        site=site,
        code=code,
        name=name,
        equipment_type=equipment_type,
        **fields,
    )
    _check(equipment)
    try:
        with transaction.atomic():
            equipment.save()
    except IntegrityError:
        _duplicate(code, site)
    audit.record(AuditAction.CREATE, equipment, by=by, changes=audit.created(equipment))
    return equipment


@transaction.atomic
def update_equipment(*, equipment: Equipment, by=None, reason: str = "", **changes) -> Equipment:
    """Change the description or calibration data (EQUIPMENT_FIELDS); code, site and status
    stay, the due date follows."""
    unknown = set(changes) - set(EQUIPMENT_FIELDS)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    if equipment.status == EquipmentStatus.RETIRED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Equipment %(code)s is retired; it can no longer change.") % {"code": equipment.code},
        )
    if (
        "last_calibrated_on" in changes
        and changes["last_calibrated_on"] != equipment.last_calibrated_on
        and CalibrationRecord.objects.filter(
            equipment=equipment, status=CalibrationStatus.VERIFIED
        ).exists()
    ):
        _refuse(
            ErrorCode.INVALID_STATE,
            _(
                "%(code)s has calibration records: its last calibration follows from them. "
                "Record the calibration instead."
            )
            % {"code": equipment.code},
            "last_calibrated_on",
        )
    before = audit.snapshot(equipment)
    for field, value in changes.items():
        setattr(equipment, field, value)
    _check(equipment)
    equipment.save(update_fields=[*changes, "calibration_due_on"])
    diff = audit.diff(before, equipment)
    if diff:
        audit.record(AuditAction.CHANGE, equipment, by=by, changes=diff, reason=reason)
    return equipment


@transaction.atomic
def change_equipment_status(
    *, equipment: Equipment, status: str, reason: str, by=None
) -> Equipment:
    """Put equipment in or out of service, or retire it (final); the reason is required."""
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if not reason.strip():
        _refuse(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing the status of %(code)s.") % {"code": equipment.code},
            "reason",
        )
    if status not in STATUS_TRANSITIONS[equipment.status]:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Equipment %(code)s is %(current)s; it cannot become %(new)s.")
            % {
                "code": equipment.code,
                "current": equipment.get_status_display(),
                "new": EquipmentStatus(status).label,
            },
            "status",
        )
    if status == EquipmentStatus.IN_SERVICE and equipment.calibration_required:
        equipment.site = Site.objects.get(pk=equipment.site_id)
        state = usability.calibration_state(equipment, usability.local_day(equipment))
        if not state.ok:
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(code)s cannot go back in service: %(why)s")
                % {"code": equipment.code, "why": usability.calibration_message(equipment, state)},
                "status",
            )
    audit.record(
        AuditAction.TRANSITION,
        equipment,
        by=by,
        changes={"status": [equipment.status, status]},
        reason=reason,
    )
    equipment.status = status
    equipment.save(update_fields=["status"])
    return equipment


def record_last_calibration(*, equipment: Equipment, by, reason: str) -> Equipment:
    """Bring the ledger's last calibration (and so its due date) in line with the calibration
    history's last pass; audited as a change with `reason` (the record that moved it).
    Called inside the calibration services' transaction."""
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    history = usability.effective_history(equipment)
    passes = [record for record in history if record.passed]
    last = passes[-1].performed_on if passes else None
    if last is None or last == equipment.last_calibrated_on:
        return equipment
    before = audit.snapshot(equipment)
    equipment.last_calibrated_on = last
    equipment.calibration_due_on = calibration_due_on(equipment)
    equipment.save(update_fields=["last_calibrated_on", "calibration_due_on"])
    audit.record(
        AuditAction.CHANGE, equipment, by=by, changes=audit.diff(before, equipment), reason=reason
    )
    return equipment
