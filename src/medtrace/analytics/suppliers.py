"""Supplier quality over a period, at the reader's sites: incoming inspections and how many were
accepted, the units sampled and how many were defective (PPM), nonconformances raised against
the supplier, receipts on time against the order line's expected date, and the CAPAs opened
from its nonconformances (open, and the mean days to close). Each figure is one aggregate
query; a supplier with no figure in the period is not listed.

The ranking is explicit, criterion after criterion: acceptance rate (higher first), PPM
(lower), on-time rate (higher), nonconformances (fewer); a supplier without a figure for a
criterion comes after those with one."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.partners.models import Supplier
from medtrace.purchasing.models import Receipt
from medtrace.quality.choices import InspectionStage, InspectionVerdict
from medtrace.quality.models import Capa, InspectionRecord, InspectionResult, Nonconformance

DEFAULT_DAYS = 365
# The page is for whoever may read incoming inspections (QA, purchasing, management).
PERM = "quality.view_inspectionrecord"


@dataclass
class Figures:
    """A supplier's incoming quality and deliveries over some period."""

    inspections: int = 0  # incoming inspections with a verdict
    accepted: int = 0
    sampled: int = 0  # units drawn by those inspections
    defective: int = 0  # sampled units with at least one nonconforming finding
    ncrs: int = 0
    receipts: int = 0
    on_time: int = 0  # received on or before the line's expected day

    @property
    def rejected(self) -> int:
        return self.inspections - self.accepted

    @property
    def acceptance_rate(self) -> float | None:
        return 100 * self.accepted / self.inspections if self.inspections else None

    @property
    def ppm(self) -> float | None:
        return 1_000_000 * self.defective / self.sampled if self.sampled else None

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.on_time / self.receipts if self.receipts else None


@dataclass
class SupplierQuality(Figures):
    supplier: Supplier | None = None
    capas_open: int = 0
    capa_days: list[int] = field(default_factory=list)  # opening to closing, closed CAPAs
    rank: int = 0

    @property
    def mean_days_to_close(self) -> float | None:
        return sum(self.capa_days) / len(self.capa_days) if self.capa_days else None

    def ranking_key(self) -> tuple:
        def missing_last(value, better_high: bool):
            return (value is None, -(value or 0) if better_high else (value or 0))

        return (
            *missing_last(self.acceptance_rate, True),
            *missing_last(self.ppm, False),
            *missing_last(self.on_time_rate, True),
            self.ncrs,
            self.supplier.code,
        )


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @classmethod
    def default(cls, today: date) -> "Period":
        return cls(today - timedelta(days=DEFAULT_DAYS), today)

    def bounds(self) -> tuple[datetime, datetime]:
        """From the first day's midnight to the last day's end, in the current time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.since, time.min, zone),
            datetime.combine(self.until + timedelta(days=1), time.min, zone),
        )


def period(since: date | None, until: date | None, today: date) -> Period:
    """The period asked for: by default up to `today`, starting DEFAULT_DAYS days before its
    end. Refused, naming both days, when it ends before it starts."""
    until = until or today
    asked = Period(since or until - timedelta(days=DEFAULT_DAYS), until)
    if asked.until < asked.since:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The period ends on %(until)s, before it starts on %(since)s.")
            % {"until": asked.until, "since": asked.since},
            fields={"until": [_("On or after the first day.")]},
        )
    return asked


def _scoped(queryset, user, perm: str, site, site_field: str = "site"):
    rows = access.scoped(queryset, user, perm=perm, site_field=site_field)
    return rows if site is None else rows.filter(**{f"{site_field}_id": site.pk})


def incoming_inspections(user, site, period: Period):
    start, end = period.bounds()
    return _scoped(
        InspectionRecord.objects.filter(
            stage=InspectionStage.INCOMING,
            supplier__isnull=False,
            completed_at__gte=start,
            completed_at__lt=end,
        ).exclude(verdict=""),
        user,
        "quality.view_inspectionrecord",
        site,
    )


def supplier_ncrs(user, site, period: Period):
    start, end = period.bounds()
    return _scoped(
        Nonconformance.objects.filter(
            supplier__isnull=False, opened_at__gte=start, opened_at__lt=end
        ),
        user,
        "quality.view_nonconformance",
        site,
    )


def _grouped(queryset, supplier_field: str, when_field: str, quarterly: bool, *also: str):
    """values() by supplier (and `also`), and by the quarter of `when_field` (in the current
    time zone) when `quarterly`: the quarter's first day comes as "quarter"."""
    if not quarterly:
        return queryset.values(supplier_field, *also)
    quarter = Trunc(when_field, "quarter", output_field=DateField())
    return queryset.annotate(quarter=quarter).values(supplier_field, "quarter", *also)


def count_inspections(of, inspections, quarterly: bool = False) -> None:
    rejected = Q(verdict=InspectionVerdict.REJECTED)
    for row in _grouped(inspections, "supplier", "completed_at", quarterly).annotate(
        total=Count("pk"), rejected=Count("pk", filter=rejected), drawn=Sum("sample_size")
    ):
        entry = of(row["supplier"], row.get("quarter"))
        entry.inspections, entry.accepted = row["total"], row["total"] - row["rejected"]
        entry.sampled = row["drawn"] or 0
    nonconforming = InspectionResult.objects.filter(record__in=inspections, conforming=False)
    # A sample with two nonconforming findings is one defective unit.
    defective = _grouped(
        nonconforming, "record__supplier", "record__completed_at", quarterly, "record", "sample"
    )
    for row in defective.distinct():
        of(row["record__supplier"], row.get("quarter")).defective += 1


def count_ncrs(of, user, site, period: Period, quarterly: bool = False) -> None:
    ncrs = supplier_ncrs(user, site, period)
    for row in _grouped(ncrs, "supplier", "opened_at", quarterly).annotate(n=Count("pk")):
        of(row["supplier"], row.get("quarter")).ncrs = row["n"]


def count_receipts(of, user, site, period: Period, quarterly: bool = False) -> None:
    start, end = period.bounds()
    receipts = _scoped(
        Receipt.objects.filter(received_at__gte=start, received_at__lt=end),
        user,
        "purchasing.view_receipt",
        site,
    )
    on_time = Q(received_at__date__lte=F("line__expected_on"))
    for row in _grouped(receipts, "order__supplier", "received_at", quarterly).annotate(
        total=Count("pk"), on_time=Count("pk", filter=on_time)
    ):
        entry = of(row["order__supplier"], row.get("quarter"))
        entry.receipts, entry.on_time = row["total"], row["on_time"]


def _capas(of, user, site, period: Period) -> None:
    start, end = period.bounds()
    capas = _scoped(
        Capa.objects.filter(
            nonconformance__supplier__isnull=False, opened_at__gte=start, opened_at__lt=end
        ),
        user,
        "quality.view_capa",
        site,
    )
    for supplier_id, opened, closed in capas.values_list(
        "nonconformance__supplier", "opened_at", "closed_at"
    ):
        entry = of(supplier_id, None)
        if closed is None:
            entry.capas_open += 1
        else:
            entry.capa_days.append((closed - opened).days)


def supplier_quality(user, *, site=None, period: Period) -> list[SupplierQuality]:
    """Every supplier with a figure in the period at the reader's sites (or `site`), ranked."""
    found: dict[int, SupplierQuality] = {}

    def of(supplier_id: int, _quarter) -> SupplierQuality:
        return found.setdefault(supplier_id, SupplierQuality())

    count_inspections(of, incoming_inspections(user, site, period))
    count_ncrs(of, user, site, period)
    count_receipts(of, user, site, period)
    _capas(of, user, site, period)
    suppliers = Supplier.objects.in_bulk(list(found))
    for supplier_id, entry in found.items():
        entry.supplier = suppliers[supplier_id]
    ranked = sorted(found.values(), key=SupplierQuality.ranking_key)
    for number, entry in enumerate(ranked, start=1):
        entry.rank = number
    return ranked
