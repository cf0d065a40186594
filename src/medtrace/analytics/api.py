"""Analytics over the REST API, under /api/v1/analytics: suppliers ranked on their quality
(GET …/suppliers) and one supplier quarter by quarter with its drift (GET …/suppliers/{code}/
trend); SPC: the charted series (GET …/spc/series), one series' chart with its
limits, rules broken and capability (GET …/spc/chart, the same data the page draws), and a
deviation or a CAPA raised from a broken rule (POST …/spc/deviation, POST …/spc/capa).
A series is a process parameter (item, operation, parameter) or a measured inspection
characteristic (its id); only the caller's sites count. The lots' risk signals: GET …/risk/lots,
and POST …/risk/assess to assess them again now."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, error_responses, require_perm
from medtrace.partners import selectors as partner_selectors

from . import risk, risk_views, selectors, services, supplier_trends, suppliers
from .analysis import analyse, as_data
from .choices import ASSESS_RISK
from .trend_api import AnalyticsJobOut, queue_job

router = Router(tags=["analytics"])
router.add_router("", "medtrace.analytics.trend_api.router")
router.add_router("", "medtrace.analytics.report_api.router")
CHART_ERRORS = error_responses(401, 403, 404, 422)


class ParameterSeriesOut(Schema):
    item: str
    operation: str
    parameter: str
    unit: str
    readings: int
    last: datetime | None


class CharacteristicSeriesOut(Schema):
    characteristic: int
    name: str
    unit: str
    plan: str
    results: int
    last: datetime | None


class SeriesOut(Schema):
    parameters: list[ParameterSeriesOut]
    characteristics: list[CharacteristicSeriesOut]


class SeriesQuery(Schema):
    item: str = Field("", description="A parameter's item code")
    operation: str = Field("", description="A parameter's operation name")
    parameter: str = Field("", description="The parameter's name")
    characteristic: int | None = Field(None, description="Or: a measured characteristic's id")
    baseline: int | None = Field(
        None, description="Control limits from the first this many points (default: all)"
    )


class ViolationIn(SeriesQuery):
    rule: int = Field(..., description="The Nelson rule broken (1–8)")
    first_point: int = Field(..., description="The first point of the violation (0-based)")


class SupplierQualityOut(Schema):
    rank: int
    supplier: str
    name: str
    inspections: int = Field(..., description="Incoming inspections with a verdict")
    accepted: int
    acceptance_rate: float | None = Field(None, description="Percent accepted")
    sampled: int = Field(..., description="Units drawn by those inspections")
    defective: int = Field(..., description="Sampled units with a nonconforming finding")
    ppm: float | None
    ncrs: int
    receipts: int
    on_time: int = Field(..., description="Received on or before the line's expected day")
    on_time_rate: float | None
    capas_open: int
    mean_days_to_close: float | None


class QuarterOut(Schema):
    quarter: str = Field(..., description="YYYY Qn")
    first_day: date
    last_day: date
    inspections: int
    accepted: int
    acceptance_rate: float | None
    sampled: int
    defective: int
    ppm: float | None
    ncrs: int
    receipts: int
    on_time: int
    on_time_rate: float | None


class DriftTestOut(Schema):
    earlier_rate: float = Field(..., description="Per unit sampled, or per inspection")
    current_rate: float
    rate_ratio: float | None = Field(..., description="null when infinite or undefined")
    p_value: float
    signal: bool


class DriftOut(Schema):
    signal: bool
    defects: DriftTestOut | None = Field(
        ..., description="Defective per unit sampled, the latest quarter against the earlier"
    )
    rejections: DriftTestOut | None = Field(..., description="Rejected lots per inspection")


class SupplierTrendOut(Schema):
    supplier: str
    name: str
    quarters: list[QuarterOut] = Field(..., description="Oldest first; the last holds today")
    drift: DriftOut


class SignalOut(Schema):
    rule: str = Field(..., description="The rule's code (see the user guide's table)")
    label: str
    record: str = Field(..., description="The record's number (or a supplier's code)")
    detail: str
    url: str = Field(..., description="The record's page")
    weight: int
    via_lot: str | None = Field(
        None, description="The lot it came through (None: found on this lot itself)"
    )


class LotRiskOut(Schema):
    lot_id: int
    item: str
    lot: str
    site: str | None
    score: int
    level: str = Field(..., description="none, low, medium or high")
    signals: list[SignalOut]


class RiskQuery(Schema):
    item: str = Field("", description="Only this item's lots")
    level: Literal["", "low", "medium", "high"] = Field(
        "", description="Only lots at this level or above"
    )


class RaisedOut(Schema):
    number: str
    id: int


def _series(request, query: SeriesQuery):
    series = selectors.named(request.user, query.dict())
    if series is None:
        raise Http404
    return series


@router.get("/suppliers", response={200: list[SupplierQualityOut], **CHART_ERRORS})
def supplier_quality(request, since: date | None = None, until: date | None = None):
    """Suppliers ranked on their quality from `since` to `until` (default: the last 365 days)
    at the caller's sites: acceptance rate, PPM, nonconformances, on-time deliveries, CAPAs.
    422 when the period ends before it starts."""
    require_perm(request, suppliers.PERM)
    period = suppliers.period(since, until, timezone.localdate())
    return [
        {
            "rank": row.rank, "supplier": row.supplier.code, "name": row.supplier.display_name,
            "inspections": row.inspections, "accepted": row.accepted,
            "acceptance_rate": row.acceptance_rate, "sampled": row.sampled,
            "defective": row.defective, "ppm": row.ppm, "ncrs": row.ncrs,
            "receipts": row.receipts, "on_time": row.on_time, "on_time_rate": row.on_time_rate,
            "capas_open": row.capas_open, "mean_days_to_close": row.mean_days_to_close,
        }
        for row in suppliers.supplier_quality(request.user, period=period)
    ]  # fmt: skip


@router.get("/suppliers/{code}/trend", response={200: SupplierTrendOut, **CHART_ERRORS})
def supplier_trend(request, code: str, quarters: int = supplier_trends.DEFAULT_QUARTERS):
    """A supplier's quality in each of the last `quarters` quarters (4–12, default 8) at the
    caller's sites, and whether its latest quarter drifts from the earlier ones. 404 for a
    supplier not the caller's; 422 for a number of quarters out of range."""
    require_perm(request, suppliers.PERM)
    supplier = partner_selectors.get_supplier_or_404(request.user, code)
    return supplier_trends.as_data(
        supplier_trends.trend_of(request.user, supplier, count=quarters, today=timezone.localdate())
    )


@router.get("/spc/series", response={200: SeriesOut, **READ_ERRORS})
def list_series(request):
    """Every process parameter read and every characteristic measured at the caller's sites."""
    require_perm(request, selectors.INSPECTION_PERM)
    return {
        "parameters": [
            {
                "item": row["operation__work_order__item__code"],
                "operation": row["operation__name"],
                "parameter": row["parameter"],
                "unit": row["unit"],
                "readings": row["readings"],
                "last": row["last"],
            }
            for row in selectors.parameter_series(request.user)
        ],
        "characteristics": [
            {
                "characteristic": row["characteristic"],
                "name": row["characteristic__name"],
                "unit": row["characteristic__unit"],
                "plan": row["characteristic__plan__code"],
                "results": row["results"],
                "last": row["last"],
            }
            for row in selectors.characteristic_series(request.user)
        ],
    }


@router.get("/spc/chart", response={200: dict[str, Any], **CHART_ERRORS})
def chart(request, query: Query[SeriesQuery]):
    """One series' control chart: the chart kind by subgroup size, center line and limits
    (from the baseline), every point with its record and lot, the Nelson rules broken with
    their points, and Cp/Cpk/Pp/Ppk with 95% confidence intervals when the series has a
    specification. Too few points or a baseline out of range answer 422."""
    require_perm(request, selectors.INSPECTION_PERM)
    return as_data(analyse(_series(request, query), query.baseline))


@router.post("/spc/deviation", response={201: RaisedOut, **WRITE_ERRORS})
def raise_deviation(request, payload: ViolationIn):
    """Raise an unplanned deviation from a rule the chart (with this baseline) shows broken:
    scoped to the lots and the time of its points, at the site of its last point."""
    require_perm(request, "quality.add_deviation")
    deviation = services.raise_deviation(
        analyse(_series(request, payload), payload.baseline),
        rule=payload.rule,
        first_point=payload.first_point,
        by=request.user,
    )
    return Status(201, {"number": deviation.number, "id": deviation.pk})


@router.post("/spc/capa", response={201: RaisedOut, **WRITE_ERRORS})
def raise_capa(request, payload: ViolationIn):
    """Open a CAPA (source: trend signal) from a rule the chart shows broken, at the site of
    its last point, the rule and its points as the problem statement."""
    require_perm(request, "quality.add_capa")
    capa = services.raise_capa(
        analyse(_series(request, payload), payload.baseline),
        rule=payload.rule,
        first_point=payload.first_point,
        by=request.user,
    )
    return Status(201, {"number": capa.number, "id": capa.pk})


def _lot_risk(row: risk.LotRisk) -> dict:
    return {
        "lot_id": row.lot.pk, "item": row.lot.item.code, "lot": row.lot.lot_number,
        "site": row.lot.site.code if row.lot.site else None, "score": row.score,
        "level": row.level,
        "signals": [
            {
                "rule": signal.finding.rule.code, "label": str(signal.finding.rule.label),
                "record": signal.finding.record, "detail": str(signal.finding.detail),
                "url": signal.finding.url, "weight": signal.weight,
                "via_lot": signal.via.lot_number if signal.via else None,
            }
            for signal in row.signals
        ],
    }  # fmt: skip


@router.get("/risk/lots", response={200: list[LotRiskOut], **CHART_ERRORS})
def lots_at_risk(request, query: Query[RiskQuery]):
    """The caller's lots with risk signals, highest score first, each signal with its rule,
    record and weight (the rules: docs/user-guide, "Lot risk signals")."""
    require_perm(request, risk.PERM)
    rows = risk_views.lots_at_risk(request.user, None, query.dict())
    return [_lot_risk(row) for row in rows]


@router.get("/risk/lots/{lot_id}", response={200: LotRiskOut, **READ_ERRORS})
def lot_risk(request, lot_id: int):
    """One lot's signals (an empty list and score 0 when it has none)."""
    require_perm(request, risk.PERM)
    found = risk.of_lot(request.user, lot_id, risk_views.today_at(None))
    if found is None:
        raise Http404
    return _lot_risk(found)


@router.post("/risk/assess", response={202: AnalyticsJobOut, **WRITE_ERRORS})
def assess_risk(request):
    """Assess the lots again now (the job's next hourly run would do it anyway). The
    assessment runs in the background: the answer is its job."""
    return queue_job(request, risk.PERM, ASSESS_RISK)
