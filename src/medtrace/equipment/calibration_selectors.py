"""Reading calibration records, impact reviews and maintenance as a user may see them, and the
impact list of a failed calibration: every lot and operation that used the equipment in a
window, from two sources.

(a) Trace events whose read point is the equipment's (urn:medtrace:equipment:<site>:<code>),
not retracted by an error declaration; their lots are the lots the events touched, directly
or through a serialized unit of the lot. Inputs of a transformation are left out: they were
consumed by it, what the equipment made is its output. (b) Inspections that used the
equipment as an instrument (not cancelled), with their lots. A fixed number of queries
whatever the number of events: set-based, never a query per row."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from medtrace.equipment.models import (
    CalibrationRecord,
    Equipment,
    ImpactReview,
    MaintenancePlan,
    MaintenanceRecord,
)
from medtrace.org import access
from medtrace.quality.choices import InspectionStatus
from medtrace.quality.models import InspectionRecord
from medtrace.trace.choices import ObjectKind, ObjectRole
from medtrace.trace.models import EventObject, Lot, TraceEvent

# ---------------------------------------------------------------- what a user may see


def visible_calibrations(user) -> QuerySet[CalibrationRecord]:
    return access.scoped(
        CalibrationRecord.objects.select_related(
            "site", "equipment", "equipment__site", "performed_by", "verified_by", "corrects"
        ),
        user,
    )


def get_calibration_or_404(user, pk: int, *, perm: str | None = None) -> CalibrationRecord:
    return access.get_scoped_or_404(
        visible_calibrations(user).select_related("impact_review"), user, perm=perm, pk=pk
    )


def visible_reviews(user) -> QuerySet[ImpactReview]:
    return access.scoped(
        ImpactReview.objects.select_related(
            "site", "equipment", "equipment__site", "calibration", "since_calibration",
            "deviation", "nonconformance",
        ),
        user,
    )  # fmt: skip


def get_review_or_404(user, pk: int) -> ImpactReview:
    return access.get_scoped_or_404(visible_reviews(user), user, pk=pk)


def visible_plans(user) -> QuerySet[MaintenancePlan]:
    return access.scoped(MaintenancePlan.objects.select_related("equipment", "site"), user)


def history_of(equipment: Equipment) -> list[CalibrationRecord]:
    """The equipment's calibration records, newest first, each with `superseded_by` (the
    verified correction that replaced it, or None)."""
    records = list(
        CalibrationRecord.objects.filter(equipment=equipment)
        .select_related("performed_by", "verified_by", "corrects", "impact_review")
        .order_by("-performed_on", "-pk")
    )
    replaced = {
        record.corrects_id: record
        for record in records
        if record.corrects_id and record.status == "verified"
    }
    for record in records:
        record.superseded_by = replaced.get(record.pk)
    return records


def maintenance_plans_of(equipment: Equipment) -> list[MaintenancePlan]:
    return list(equipment.maintenance_plans.order_by("-active", "next_due_on", "pk"))


def maintenance_records_of(equipment: Equipment, limit: int = 50) -> list[MaintenanceRecord]:
    return list(
        equipment.maintenance_records.select_related("plan", "performed_by", "corrects").order_by(
            "-performed_on", "-pk"
        )[:limit]
    )


def plans_due(site_ids, within_days: int, today) -> QuerySet[MaintenancePlan]:
    return (
        MaintenancePlan.objects.filter(
            site_id__in=site_ids, active=True, next_due_on__lte=today + timedelta(days=within_days)
        )
        .exclude(equipment__status="retired")
        .select_related("equipment", "site")
        .order_by("next_due_on", "pk")
    )


# ---------------------------------------------------------------- the impact list


@dataclass
class ImpactEvent:
    event: TraceEvent
    lots: list[Lot] = field(default_factory=list)


@dataclass
class ImpactList:
    equipment: Equipment
    window_start: datetime | None
    window_end: datetime
    events: list[ImpactEvent]
    inspections: list[InspectionRecord]
    lots: list[Lot]

    @property
    def lot_ids(self) -> list[int]:
        return sorted(lot.pk for lot in self.lots)

    @property
    def inspection_ids(self) -> list[int]:
        return sorted(record.pk for record in self.inspections)

    def lots_by_item(self) -> list[tuple[object, list[Lot]]]:
        """[(item, its lots)], items by code, lots by number."""
        grouped: dict[int, list[Lot]] = {}
        for lot in self.lots:
            grouped.setdefault(lot.item_id, []).append(lot)
        rows = [
            (lots[0].item, sorted(lots, key=lambda lot: lot.lot_number))
            for lots in grouped.values()
        ]
        return sorted(rows, key=lambda row: row[0].code)

    def events_by_step(self) -> list[tuple[str, int]]:
        counts = Counter(entry.event.biz_step or entry.event.event_type for entry in self.events)
        return sorted(counts.items())


def _events(equipment: Equipment, start, end) -> QuerySet[TraceEvent]:
    events = TraceEvent.objects.filter(
        organization_id=equipment.organization_id,
        read_point=equipment.read_point,
        declares__isnull=True,
        declaration__isnull=True,
        event_time__lte=end,
    )
    if start is not None:
        events = events.filter(event_time__gte=start)
    return events


def _inspections(equipment: Equipment, start, end) -> QuerySet[InspectionRecord]:
    """Inspections with the equipment among their instruments that ran in the window (started
    by its end, and completed, or started when still open, after its start)."""
    records = (
        InspectionRecord.objects.filter(instruments__equipment=equipment, started_at__lte=end)
        .exclude(status=InspectionStatus.CANCELLED)
        .annotate(done_at=Coalesce("completed_at", "started_at"))
    )
    if start is not None:
        records = records.filter(done_at__gte=start)
    return records.distinct()


def _lots_of_events(equipment: Equipment, start, end) -> dict[int, set[int]]:
    """For each event of the window, the lots it touched other than as an input (a unit
    counts as its lot). One semi-join: PostgreSQL planned the OR-of-subqueries form of this
    badly enough to run for minutes on freshly loaded tables."""
    touched = (
        EventObject.objects.filter(
            event__in=_events(equipment, start, end).values("pk"), object__isnull=False
        )
        .exclude(role=ObjectRole.INPUT)
        .values_list("event_id", "object_id", "object__kind", "object__as_unit__lot_id")
    )
    lots_of_event: dict[int, set[int]] = {}
    for event_id, object_id, kind, unit_lot_id in touched:
        lot_id = object_id if kind == ObjectKind.LOT else unit_lot_id
        if lot_id is not None:
            lots_of_event.setdefault(event_id, set()).add(lot_id)
    return lots_of_event


def impact_of(equipment: Equipment, start: datetime | None, end: datetime) -> ImpactList:
    """The impact list of `equipment` between `start` (None: since ever) and `end`."""
    events = list(_events(equipment, start, end).order_by("event_time", "pk"))
    lots_of_event = _lots_of_events(equipment, start, end)
    inspections = list(
        _inspections(equipment, start, end)
        .select_related("plan", "lot", "lot__item", "site")
        .order_by("started_at", "pk")
    )
    wanted = set().union(*lots_of_event.values()) | {
        record.lot_id for record in inspections if record.lot_id
    }
    lots = {lot.pk: lot for lot in Lot.objects.filter(pk__in=wanted).select_related("item")}
    for lot in lots.values():
        lot.event_count = sum(1 for ids in lots_of_event.values() if lot.pk in ids)
        lot.inspection_count = sum(1 for record in inspections if record.lot_id == lot.pk)
    impact_events = [
        ImpactEvent(
            event,
            sorted(
                (lots[pk] for pk in lots_of_event.get(event.pk, ())), key=lambda lot: lot.lot_number
            ),
        )
        for event in events
    ]
    ordered = sorted(lots.values(), key=lambda lot: (lot.item.code, lot.lot_number))
    return ImpactList(equipment, start, end, impact_events, inspections, ordered)


def impact_of_review(review: ImpactReview) -> ImpactList:
    return impact_of(review.equipment, review.window_start, review.window_end)


def lot_ids_processed(equipment: Equipment, start, end) -> set[int]:
    """The ids of the impact list's lots, without the list (lot risk asks for every open
    review)."""
    inspected = _inspections(equipment, start, end).values_list("lot_id", flat=True)
    return set().union(*_lots_of_events(equipment, start, end).values()) | {
        lot_id for lot_id in inspected if lot_id is not None
    }


# ---------------------------------------------------------------- audit-trail links


def calibration_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("equipment:calibration-detail", args=[int(object_id)])


def calibration_for_history(user, object_id: str) -> CalibrationRecord:
    return get_calibration_or_404(user, int(object_id) if object_id.isdigit() else 0)


def review_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("equipment:impact-review", args=[int(object_id)])


def review_for_history(user, object_id: str) -> ImpactReview:
    return get_review_or_404(user, int(object_id) if object_id.isdigit() else 0)
