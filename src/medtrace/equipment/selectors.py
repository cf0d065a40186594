"""Reading the equipment ledger: what a user may see (equipment of the sites where they may view
it), the calibration due list with its overdue flag, and the audit-trail links."""

from datetime import date, timedelta

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse

from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.models import Equipment, MaintenancePlan
from medtrace.org import access


def visible_equipment(user, *, perm: str | None = None) -> QuerySet[Equipment]:
    return access.scoped(Equipment.objects.select_related("site", "location"), user, perm=perm)


def get_equipment_or_404(user, pk: int, *, perm: str | None = None) -> Equipment:
    return access.get_scoped_or_404(
        Equipment.objects.select_related("site", "location"), user, perm=perm, pk=pk
    )


def _calibrated() -> Q:
    return Q(calibration_required=True, calibration_due_on__isnull=False) & ~Q(
        status=EquipmentStatus.RETIRED
    )


DUE_SOON_DAYS = 30


def with_overdue(equipment: QuerySet[Equipment], today: date) -> QuerySet[Equipment]:
    """The rows, each with `.overdue` (calibration required and its due date before today)
    and `.due_soon` (due within DUE_SOON_DAYS, not yet overdue)."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return equipment.annotate(
        overdue=Case(
            When(_calibrated() & Q(calibration_due_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        due_soon=Case(
            When(
                _calibrated() & Q(calibration_due_on__gte=today, calibration_due_on__lte=soon),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def with_maintenance_overdue(equipment: QuerySet[Equipment], today: date) -> QuerySet[Equipment]:
    """The rows, each with `.maintenance_overdue`: an active maintenance plan is past due."""
    late = MaintenancePlan.objects.filter(
        equipment=OuterRef("pk"), active=True, next_due_on__lt=today
    )
    return equipment.annotate(maintenance_overdue=Exists(late))


def calibration_due(site_ids, within_days: int, today: date) -> QuerySet[Equipment]:
    """Equipment at `site_ids` whose calibration falls due within `within_days` of `today` or
    is already overdue, soonest first, each with `.overdue`."""
    due = due_within(Equipment.objects.filter(site_id__in=site_ids), within_days, today)
    return with_overdue(due, today).order_by("calibration_due_on", "code")


def due_within(equipment: QuerySet[Equipment], days: int, today: date) -> QuerySet[Equipment]:
    return equipment.filter(_calibrated(), calibration_due_on__lte=today + timedelta(days=days))


def overdue(equipment: QuerySet[Equipment], today: date) -> QuerySet[Equipment]:
    return equipment.filter(_calibrated(), calibration_due_on__lt=today)


# Audit-trail links (audit.selectors.register_record_type, see apps.py).


def equipment_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("equipment:equipment-detail", args=[int(object_id)])


def equipment_for_history(user, object_id: str) -> Equipment:
    return get_equipment_or_404(user, int(object_id) if object_id.isdigit() else 0)
