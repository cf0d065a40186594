"""Maintenance plans and records. A plan is a task every N days; recording maintenance done
under a plan moves its next due date. A record is final when written (a mistake is corrected
by a new record naming it, with the reason); one that returns the equipment to service puts
it back in service in the same transaction, which the ledger allows only while the equipment
is calibrated (when it needs to be)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.equipment.choices import EquipmentStatus, MaintenanceKind, MaintenanceResult
from medtrace.equipment.models import Equipment, MaintenancePlan, MaintenanceRecord
from medtrace.equipment.services import ledger, usability
from medtrace.quality.services.numbering import next_number

PLAN_FIELDS = ("task", "instructions", "interval_days", "next_due_on", "active")


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _not_retired(equipment: Equipment) -> None:
    if equipment.status == EquipmentStatus.RETIRED:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Equipment %(code)s is retired; it is no longer maintained.")
            % {"code": equipment.code},
        )


@transaction.atomic
def create_plan(
    *,
    equipment: Equipment,
    task: str,
    interval_days: int,
    by,
    instructions: str = "",
    next_due_on: date | None = None,
) -> MaintenancePlan:
    """A recurring task; first due `next_due_on` (default: one interval from today)."""
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    _not_retired(equipment)
    if next_due_on is None and interval_days and interval_days > 0:
        next_due_on = usability.local_day(equipment) + timedelta(days=interval_days)
    plan = validated(
        MaintenancePlan(
            organization_id=equipment.organization_id,
            site_id=equipment.site_id,
            equipment=equipment,
            task=task.strip(),
            instructions=instructions.strip(),
            interval_days=interval_days,
            next_due_on=next_due_on,
        )
    )
    plan.save()
    audit.record(AuditAction.CREATE, plan, by=by, changes=audit.created(plan))
    return plan


@transaction.atomic
def update_plan(plan: MaintenancePlan, *, by, reason: str = "", **changes) -> MaintenancePlan:
    """Change the task, its interval, its next due date, or stop it (active false)."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    plan = MaintenancePlan.objects.select_for_update().select_related("equipment").get(pk=plan.pk)
    _not_retired(plan.equipment)
    before = audit.snapshot(plan)
    for name, value in changes.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    validated(plan)
    diff = audit.diff(before, plan)
    if diff:
        plan.save()
        audit.record(AuditAction.CHANGE, plan, by=by, changes=diff, reason=reason)
    return plan


def _check_plan(plan: MaintenancePlan | None, equipment: Equipment, kind: str) -> None:
    if plan is None:
        return
    if plan.equipment_id != equipment.pk:
        _refuse(
            ErrorCode.VALIDATION,
            _("“%(task)s” is a plan of other equipment.") % {"task": plan.task},
            "plan",
        )
    if not plan.active:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("The plan “%(task)s” is stopped.") % {"task": plan.task},
            "plan",
        )
    if kind != MaintenanceKind.PREVENTIVE:
        _refuse(
            ErrorCode.VALIDATION,
            _("Only preventive maintenance is done under a plan."),
            "plan",
        )


def _check_correction(corrects: MaintenanceRecord | None, equipment: Equipment, reason: str):
    if corrects is None:
        return
    if corrects.equipment_id != equipment.pk:
        _refuse(
            ErrorCode.VALIDATION,
            _("%(number)s is a record of other equipment.") % {"number": corrects.number},
            "corrects",
        )
    if not reason.strip():
        _refuse(
            ErrorCode.REASON_REQUIRED,
            _("Say why %(number)s is corrected.") % {"number": corrects.number},
            "correction_reason",
        )


@transaction.atomic
def record_maintenance(
    *,
    equipment: Equipment,
    kind: str,
    performed_on: date,
    work_done: str,
    result: str,
    by,
    performed_by=None,
    external_party: str = "",
    parts: str = "",
    plan: MaintenancePlan | None = None,
    returns_to_service: bool = False,
    corrects: MaintenanceRecord | None = None,
    correction_reason: str = "",
) -> MaintenanceRecord:
    """Record maintenance done; see the module's docstring."""
    equipment = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=equipment.pk)
    )
    _not_retired(equipment)
    if performed_on > usability.local_day(equipment):
        _refuse(
            ErrorCode.VALIDATION,
            _("Maintenance cannot be recorded before it is done."),
            "performed_on",
        )
    external_party = external_party.strip()
    if (performed_by is None) == (not external_party):
        _refuse(
            ErrorCode.VALIDATION,
            _("Name who did the work: one of us or a service company, not both."),
            "external_party",
        )
    _check_plan(plan, equipment, kind)
    _check_correction(corrects, equipment, correction_reason)
    if returns_to_service:
        if result != MaintenanceResult.COMPLETED:
            _refuse(
                ErrorCode.VALIDATION,
                _("Only finished maintenance returns the equipment to service."),
                "returns_to_service",
            )
        if equipment.status != EquipmentStatus.OUT_OF_SERVICE:
            _refuse(
                ErrorCode.INVALID_STATE,
                _("%(code)s is %(status)s, not out of service.")
                % {"code": equipment.code, "status": equipment.get_status_display()},
                "returns_to_service",
            )
    record = MaintenanceRecord(
        organization_id=equipment.organization_id,
        site_id=equipment.site_id,
        equipment=equipment,
        number="-",
        plan=plan,
        kind=kind,
        performed_on=performed_on,
        performed_by=performed_by,
        external_party=external_party,
        work_done=work_done.strip(),
        parts=parts.strip(),
        result=result,
        returned_to_service=returns_to_service,
        corrects=corrects,
        correction_reason=correction_reason.strip() if corrects else "",
        recorded_by=by,
    )
    validated(record)
    record.number = next_number(equipment.organization, "MNT")
    record.save()
    audit.record(AuditAction.CREATE, record, by=by, changes=audit.created(record))
    if plan is not None:
        _done(plan, performed_on, record, by)
    if returns_to_service:
        ledger.change_equipment_status(
            equipment=equipment,
            status=EquipmentStatus.IN_SERVICE,
            reason=str(
                _("Returned to service by maintenance %(number)s: %(work)s")
                % {"number": record.number, "work": record.work_done}
            ),
            by=by,
        )
    return record


def _done(plan: MaintenancePlan, performed_on: date, record: MaintenanceRecord, by) -> None:
    plan = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.last_done_on is not None and plan.last_done_on >= performed_on:
        return  # an older job recorded late does not move the plan back
    before = audit.snapshot(plan, ["last_done_on", "next_due_on"])
    plan.last_done_on = performed_on
    plan.next_due_on = performed_on + timedelta(days=plan.interval_days)
    plan.save(update_fields=["last_done_on", "next_due_on"])
    audit.record(
        AuditAction.CHANGE,
        plan,
        by=by,
        changes=audit.diff(before, audit.snapshot(plan, list(before))),
        reason=str(_("Done: %(number)s") % {"number": record.number}),
    )
