"""The measured series SPC charts: every process parameter (per item, operation and parameter,
read during work-order operations) and every variable inspection characteristic, each at the
sites the reader may see. A subgroup is what one operation read, or what one inspection
measured on its samples."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max
from django.urls import reverse

from medtrace.org import access
from medtrace.production.models import ParameterReading
from medtrace.quality.choices import CharacteristicKind
from medtrace.quality.models import Characteristic, InspectionResult

# A chart shows at most this many subgroups, the most recent.
MAX_SUBGROUPS = 500

PARAMETER_PERM = "production.view_workorder"
INSPECTION_PERM = "quality.view_inspectionrecord"


@dataclass
class Subgroup:
    """What one operation read, or one inspection measured, in order."""

    label: str  # the work order or inspection number
    url: str  # its page
    at: datetime
    site_id: int
    lot_id: int | None
    lot: str
    values: list[float] = field(default_factory=list)


@dataclass
class Series:
    kind: str  # "parameter" or "characteristic"
    title: str
    unit: str
    lower_limit: Decimal | None
    target: Decimal | None
    upper_limit: Decimal | None
    subgroups: list[Subgroup]
    operation: str = ""  # a parameter's operation, for a deviation raised from its chart
    query: dict = field(default_factory=dict)  # what names the series in a URL


def _readings(user):
    return access.scoped(
        ParameterReading.objects.all(),
        user,
        perm=PARAMETER_PERM,
        site_field="operation__work_order__site",
    )


def _results(user):
    return access.scoped(
        InspectionResult.objects.filter(value__isnull=False),
        user,
        perm=INSPECTION_PERM,
        site_field="record__site",
    )


def parameter_series(user) -> list[dict]:
    """Every process parameter read at the reader's sites: item, operation, parameter, unit,
    how many readings and the last one's time."""
    return list(
        _readings(user)
        .values(
            "operation__work_order__item__code",
            "operation__name",
            "parameter",
            "unit",
        )
        .annotate(readings=Count("pk"), last=Max("read_at"))
        .order_by("operation__work_order__item__code", "operation__name", "parameter")
    )


def characteristic_series(user) -> list[dict]:
    """Every measured inspection characteristic with results at the reader's sites."""
    return list(
        _results(user)
        .filter(characteristic__kind=CharacteristicKind.VARIABLE)
        .values(
            "characteristic",
            "characteristic__name",
            "characteristic__unit",
            "characteristic__plan__code",
        )
        .annotate(results=Count("pk"), last=Max("record__started_at"))
        .order_by("characteristic__plan__code", "characteristic__position")
    )


def named(user, query) -> Series | None:
    """The series a page or an API call names (`query`: a mapping): a characteristic by its
    id, or a parameter by item, operation and parameter (all three)."""
    if query.get("characteristic") not in (None, ""):
        try:
            return characteristic(user, int(query["characteristic"]))
        except (TypeError, ValueError):
            return None
    names = {key: (query.get(key) or "").strip() for key in ("item", "operation", "parameter")}
    return parameter(user, **names) if all(names.values()) else None


def _latest_first(subgroups: dict) -> list[Subgroup]:
    ordered = sorted(subgroups.values(), key=lambda subgroup: subgroup.at)
    return ordered[-MAX_SUBGROUPS:]


def parameter(user, *, item: str, operation: str, parameter: str) -> Series | None:
    """A parameter's readings at the reader's sites, a subgroup per operation performed; the
    limits are the most recent reading's (the routing's in force then)."""
    rows = (
        _readings(user)
        .filter(
            operation__work_order__item__code=item,
            operation__name=operation,
            parameter=parameter,
        )
        .order_by("-read_at", "-pk")
        .values_list(
            "operation_id", "operation__work_order_id", "operation__work_order__number",
            "operation__work_order__site_id",
            "operation__work_order__lot_id", "operation__work_order__lot__lot_number",
            "read_at", "value", "unit", "lower_limit", "target", "upper_limit",
        )
    )  # fmt: skip
    subgroups: dict[int, Subgroup] = {}
    limits = None
    for operation_id, order, number, site, lot_id, lot, read_at, value, unit, *latest in rows:
        if limits is None:
            limits = (unit, *latest)
        subgroup = subgroups.get(operation_id)
        if subgroup is None:
            if len(subgroups) == MAX_SUBGROUPS:
                break
            url = reverse("production:workorder-detail", args=[order])
            subgroup = subgroups[operation_id] = Subgroup(
                number, url, read_at, site, lot_id, lot or ""
            )
        subgroup.values.insert(0, float(value))
        subgroup.at = read_at  # the subgroup's first reading
    if limits is None:
        return None
    unit, lower, target, upper = limits
    return Series(
        kind="parameter",
        title=f"{item} · {operation} · {parameter}",
        unit=unit,
        lower_limit=lower,
        target=target,
        upper_limit=upper,
        subgroups=_latest_first(subgroups),
        operation=operation,
        query={"item": item, "operation": operation, "parameter": parameter},
    )


def characteristic(user, characteristic_id: int) -> Series | None:
    """A variable characteristic's measurements at the reader's sites, a subgroup per
    inspection (its samples in the order drawn)."""
    found = (
        Characteristic.objects.filter(pk=characteristic_id, kind=CharacteristicKind.VARIABLE)
        .select_related("plan")
        .first()
    )
    if found is None or found.plan.organization_id != user.organization_id:
        return None
    rows = (
        _results(user)
        .filter(characteristic=found)
        .order_by("-record__started_at", "-record_id", "sample")
        .values_list(
            "record_id", "record__number", "record__started_at", "record__site_id",
            "record__lot_id", "record__lot__lot_number", "value",
        )
    )  # fmt: skip
    subgroups: dict[int, Subgroup] = {}
    for record_id, number, started_at, site, lot_id, lot, value in rows:
        subgroup = subgroups.get(record_id)
        if subgroup is None:
            if len(subgroups) == MAX_SUBGROUPS:
                break
            url = reverse("quality:inspection-detail", args=[record_id])
            subgroup = subgroups[record_id] = Subgroup(
                number, url, started_at, site, lot_id, lot or ""
            )
        subgroup.values.append(float(value))
    return Series(
        kind="characteristic",
        title=f"{found.plan.code} · {found.name}",
        unit=found.unit,
        lower_limit=found.lower_limit,
        target=found.target,
        upper_limit=found.upper_limit,
        subgroups=_latest_first(subgroups),
        query={"characteristic": found.pk},
    )
