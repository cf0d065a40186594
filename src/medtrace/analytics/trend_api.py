"""Complaint trends over the REST API, under /api/v1/analytics: every device's trend and its
failure modes' (GET …/complaint-trends), one device's months and lots (GET
…/complaint-trends/{item_id}), and a CAPA from a trend that signals (POST
…/complaint-trends/{item_id}/capa). The same figures as the pages (complaint_trends.py); only
the caller's sites count. POST …/complaint-trends/count queues the count of the units shipped
now, as the page's button does."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from medtrace.catalog.models import Item
from medtrace.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    error_responses,
    require_perm,
    require_writing_token,
)
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.services import run_now
from medtrace.quality.complaint_forms import UNCODED
from medtrace.quality.imdrf import DeviceProblem

from . import complaint_trends as trends
from . import exposure, services, trend_views
from .choices import COUNT_SHIPPED, ORGANIZATION_ARGUMENT

router = Router(tags=["analytics"])
TREND_ERRORS = error_responses(401, 403, 422)
# Years a complaint can carry (year 0 is no calendar year).
MONTH = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"


class TrendQuery(Schema):
    month: str | None = Field(
        None, pattern=MONTH, description="The current period's last month, YYYY-MM (default: now)"
    )
    current: int = Field(trends.CURRENT_MONTHS, description="Months in the current period (1–12)")
    baseline: int = Field(trends.BASELINE_MONTHS, description="Months of baseline before (3–36)")
    alpha: float = Field(trends.ALPHAS[0], description="Significance level: 0.05 or 0.01")


class DeviceQuery(TrendQuery):
    problem: str = Field(
        "",
        description=f"An IMDRF Annex A code, '{UNCODED}' for complaints not coded yet, "
        "or empty for all",
    )


class TrendOut(Schema):
    item_id: int
    item: str
    problem_code: str | None = Field(..., description="null: all problems; '': not coded")
    problem: str
    baseline_complaints: int
    baseline_units: float
    baseline_rate: float | None = Field(..., description="Complaints per 1,000 units shipped")
    current_complaints: int
    current_units: float
    current_rate: float | None
    rate_ratio: float | None = Field(
        ..., description="null when infinite (no baseline complaints) or without a test"
    )
    ratio_low: float | None
    ratio_high: float | None = Field(..., description="null when infinite")
    p_value: float | None = Field(..., description="null without units shipped in a period")
    rate_signal: bool
    cusum_signal_month: str | None = Field(..., description="YYYY-MM of the CUSUM's signal")
    signal: bool


class DeviceTrendsOut(Schema):
    item_id: int
    item: str
    total: TrendOut
    problems: list[TrendOut]


class MonthOut(Schema):
    month: str
    current: bool
    units: float
    complaints: int
    rate: float | None
    cusum: float | None


class LotRateOut(Schema):
    lot_id: int
    lot: str
    complaints: int
    units: float
    rate: float | None
    others_rate: float | None
    p_value: float | None
    signal: bool


class DeviceTrendOut(TrendOut):
    units_counted_at: datetime | None = Field(
        ..., description="When the units shipped were last counted (hourly); null: not yet"
    )
    first_month: str
    current_first_month: str
    months: list[MonthOut]
    lots: list[LotRateOut]


class RaisedOut(Schema):
    number: str
    id: int


class AnalyticsJobOut(Schema):
    """The background job that does the work, queued: it is done when `status` is succeeded
    (administrators follow it at GET /api/v1/jobs/{id})."""

    id: int
    name: str
    status: JobStatus
    run_after: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _finite(value: float | None) -> float | None:
    return value if value is not None and value != float("inf") else None


def _trend(trend: trends.Trend) -> dict:
    test = trend.test
    return {
        "item_id": trend.item.pk, "item": trend.item.code, "problem_code": trend.problem_code,
        "problem": trend.problem, "baseline_complaints": trend.baseline_count,
        "baseline_units": trend.baseline_units, "baseline_rate": trend.baseline_rate,
        "current_complaints": trend.current_count, "current_units": trend.current_units,
        "current_rate": trend.current_rate,
        "rate_ratio": _finite(test.rate_ratio) if test else None,
        "ratio_low": test.ratio_interval.low if test else None,
        "ratio_high": _finite(test.ratio_interval.high) if test else None,
        "p_value": test.p_value if test else None, "rate_signal": trend.rate_signal,
        "cusum_signal_month": (
            f"{trend.cusum_signal_month:%Y-%m}" if trend.cusum_signal else None
        ),
        "signal": trend.signal,
    }  # fmt: skip


def _window(query: TrendQuery) -> trends.Window:
    month = datetime.strptime(query.month, "%Y-%m").date() if query.month else None
    return trends.window(
        month, timezone.localdate(), current=query.current, baseline=query.baseline,
        alpha=query.alpha,
    )  # fmt: skip


def _problem_code(value: str) -> str | None:
    if value and value != UNCODED and value not in DeviceProblem.values:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(code)s is not an IMDRF Annex A device problem code (A01–A27) or %(none)s.")
            % {"code": value, "none": UNCODED},
            fields={"problem": [_("Unknown code.")]},
        )
    return trend_views.problem_code_of(value)


def _device_trend(request, item_id: int, query: DeviceQuery) -> trends.Trend:
    item = get_object_or_404(Item, pk=item_id, organization_id=request.user.organization_id)
    return trends.device_trend(
        request.user, window=_window(query), item=item, problem_code=_problem_code(query.problem)
    )


@router.get("/complaint-trends", response={200: list[DeviceTrendsOut], **TREND_ERRORS})
def complaint_trends(request, query: Query[TrendQuery]):
    """Every device with a counted complaint in the window: its trend over all problems and one
    per device problem code, devices with a signal first (method: docs/user-guide,
    "Complaint trends")."""
    require_perm(request, trends.PERM)
    return [
        {"item_id": device.item.pk, "item": device.item.code, "total": _trend(device.total),
         "problems": [_trend(trend) for trend in device.problems]}
        for device in trends.complaint_trends(request.user, window=_window(query))
    ]  # fmt: skip


def queue_job(request, perm: str, name: str) -> Status:
    """Queue the periodic job `name` now (202), as the pages' buttons do: whoever may read the
    figures may ask for them again; a read-only token may not."""
    require_perm(request, perm)
    require_writing_token(request)
    return Status(
        202,
        run_now(
            name, by=request.user, arguments={ORGANIZATION_ARGUMENT: request.user.organization_id}
        ),
    )


# Before /complaint-trends/{item_id}, which would take "count" for an item id.
@router.post("/complaint-trends/count", response={202: AnalyticsJobOut, **WRITE_ERRORS})
def count_shipped(request):
    """Count the units shipped again now (the job's next hourly run would do it anyway). The
    count runs in the background: the answer is its job."""
    return queue_job(request, trends.PERM, COUNT_SHIPPED)


@router.get("/complaint-trends/{item_id}", response={200: DeviceTrendOut, **READ_ERRORS})
def device_trend(request, item_id: int, query: Query[DeviceQuery]):
    """One device's trend (all problems, or `problem`) month by month, and its lots with
    complaints, each against the device's other lots."""
    require_perm(request, trends.PERM)
    trend = _device_trend(request, item_id, query)
    window = trend.window
    cusum = [None] * window.baseline + (
        trend.cusum.statistics if trend.cusum else [None] * window.current
    )
    lots = trends.lot_rates(
        request.user, window=window, item=trend.item, problem_code=trend.problem_code
    )
    counted = exposure.last_count(request.user.organization_id)
    return {
        **_trend(trend),
        "units_counted_at": counted.computed_at if counted else None,
        "first_month": f"{window.first_day:%Y-%m}",
        "current_first_month": f"{window.current_first_day:%Y-%m}",
        "months": [
            {"month": f"{month:%Y-%m}", "current": index >= window.baseline, "units": units,
             "complaints": count, "rate": rate, "cusum": cusum[index]}
            for index, (month, units, count, rate) in enumerate(
                zip(window.months, trend.exposures, trend.counts, trend.monthly_rates, strict=True)
            )
        ],
        "lots": [
            {"lot_id": rate.lot.pk, "lot": rate.lot.lot_number, "complaints": rate.complaints,
             "units": rate.units, "rate": rate.rate, "others_rate": rate.others_rate,
             "p_value": rate.test.p_value if rate.test else None, "signal": rate.signal}
            for rate in lots
        ],
    }  # fmt: skip


@router.post("/complaint-trends/{item_id}/capa", response={201: RaisedOut, **WRITE_ERRORS})
def raise_capa(request, item_id: int, query: Query[DeviceQuery]):
    """Open a CAPA (source: trend signal) from the device's trend as it shows now, at the site of
    the current period's latest complaint; the complaints behind it are linked to it. Refused
    (422) when the trend shows no signal."""
    require_perm(request, "quality.add_capa")
    capa = services.raise_trend_capa(_device_trend(request, item_id, query), by=request.user)
    return Status(201, {"number": capa.number, "id": capa.pk})
