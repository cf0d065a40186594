"""Reading the UDI submissions: which devices each database holds, where each stands against
the last accepted submission, and what stops it from being submitted."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.catalog.choices import PackagingLevel
from medtrace.catalog.models import DeviceIdentifier
from medtrace.udi.choices import STATE_BADGE, Database, RecordState, SubmissionStatus
from medtrace.udi.formats import FORMATS
from medtrace.udi.formats.common import DeviceRecord, fingerprint
from medtrace.udi.models import Registrant, Submission, SubmissionRecord


@dataclass
class DeviceStatus:
    """One device in one database: its record, its state and what it still lacks."""

    record: DeviceRecord
    state: RecordState
    fingerprint: str
    problems: list[str] = field(default_factory=list)
    last_submitted: Submission | None = None
    pending: Submission | None = None

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def badge(self) -> str:
        return STATE_BADGE[self.state]


def _own(queryset: QuerySet, user, perm: str) -> QuerySet:
    if not user.is_authenticated or user.organization_id is None or not user.has_perm(perm):
        return queryset.none()
    return queryset.filter(organization_id=user.organization_id)


def visible_submissions(user) -> QuerySet[Submission]:
    return _own(Submission.objects.all(), user, "udi.view_submission")


def get_submission_or_404(user, pk: int) -> Submission:
    return get_object_or_404(
        visible_submissions(user)
        .select_related("prepared_by", "outcome_by")
        .prefetch_related("records__device_identifier"),
        pk=pk,
    )


def registrant_for(organization_id: int) -> Registrant | None:
    return Registrant.objects.filter(organization_id=organization_id).first()


def _packages(base: DeviceIdentifier, by_contents: dict) -> list[DeviceIdentifier]:
    """Every package that holds the base unit, directly or through smaller packages, inner to
    outer."""
    found, layer = [], [base]
    while layer:
        layer = [package for inner in layer for package in by_contents.get(inner.pk, ())]
        found.extend(layer)
    return sorted(found, key=lambda p: (PackagingLevel(p.packaging_level).rank, p.value))


def _baseline(organization_id: int, database: str) -> dict[int, SubmissionRecord]:
    """Per device, its record in the last submission the database accepted."""
    records = (
        SubmissionRecord.objects.filter(
            submission__organization_id=organization_id,
            submission__database=database,
            submission__status=SubmissionStatus.SUBMITTED,
        )
        .select_related("submission")
        .order_by("submission__outcome_at", "submission_id")
    )
    return {record.device_identifier_id: record for record in records}


def _pending(organization_id: int, database: str) -> dict[int, Submission]:
    records = SubmissionRecord.objects.filter(
        submission__organization_id=organization_id,
        submission__database=database,
        submission__status=SubmissionStatus.PREPARED,
    ).select_related("submission")
    return {record.device_identifier_id: record.submission for record in records}


def device_statuses(organization_id: int, database: str) -> list[DeviceStatus]:
    """The devices `database` holds (marketed in its jurisdiction, or retired after being
    submitted to it), in item order, each compared with what was last accepted."""
    database_format = FORMATS[Database(database)]
    identifiers = list(
        DeviceIdentifier.objects.filter(organization_id=organization_id)
        .select_related("item", "contains")
        .order_by("item__code", "value")
    )
    by_contents = defaultdict(list)
    for identifier in identifiers:
        if identifier.contains_id:
            by_contents[identifier.contains_id].append(identifier)
    registrant = registrant_for(organization_id)
    baseline = _baseline(organization_id, database)
    pending = _pending(organization_id, database)
    statuses = []
    for device in identifiers:
        if device.packaging_level != PackagingLevel.BASE_UNIT:
            continue
        if not database_format.in_scope(device):
            continue
        if not device.is_active and device.pk not in baseline:
            continue
        record = DeviceRecord(device, _packages(device, by_contents), registrant)
        current = record_fingerprint(database, record)
        last = baseline.get(device.pk)
        if last is None:
            state = RecordState.NEW
        elif last.fingerprint != current:
            state = RecordState.CHANGED
        else:
            state = RecordState.CURRENT
        statuses.append(
            DeviceStatus(
                record=record,
                state=state,
                fingerprint=current,
                problems=database_format.problems(record),
                last_submitted=last.submission if last else None,
                pending=pending.get(device.pk),
            )
        )
    return statuses


def record_fingerprint(database: str, record: DeviceRecord) -> str:
    database_format = FORMATS[Database(database)]
    return fingerprint(
        database_format.elements(record),
        [database_format.package_elements(record, package) for package in record.packages],
    )


def summary(statuses: list[DeviceStatus]) -> dict[str, int]:
    """Counts for a database's headline: devices, to submit, blocked, up to date."""
    return {
        "devices": len(statuses),
        "to_submit": sum(s.state != RecordState.CURRENT for s in statuses),
        "blocked": sum(bool(s.problems) for s in statuses if s.state != RecordState.CURRENT),
        "current": sum(s.state == RecordState.CURRENT for s in statuses),
    }


def submission_url(object_id: str, site) -> str | None:
    return reverse("udi:submission-detail", args=[int(object_id)]) if object_id.isdigit() else None


def submission_for_history(user, object_id: str) -> Submission:
    return get_object_or_404(visible_submissions(user), pk=object_id)


def registrant_url(object_id: str, site) -> str | None:
    return reverse("udi:registrant")


def registrant_for_history(user, object_id: str) -> Registrant:
    return get_object_or_404(
        _own(Registrant.objects.all(), user, "udi.view_registrant"), pk=object_id
    )
