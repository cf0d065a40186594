"""Supplier quality quarter by quarter, and whether a supplier drifts.

Each quarter carries the ranking's figures (incoming inspections and how many were accepted,
units sampled and how many were defective, nonconformances, receipts on time), counted by the
same queries grouped by quarter as well as by supplier, in the current time zone.

A supplier drifts when its latest quarter (the one holding today) is significantly worse than
the earlier quarters of the window together, by the exact conditional rate test of
trending.rate_test, one-sided at ALPHA:
  - defective units per unit sampled (the PPM), or
  - rejected lots per incoming inspection.
A quarter without inspections, or a window without earlier ones, gives no test."""

import math
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from django.utils.translation import gettext as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.months import add_months
from medtrace.partners.models import Supplier

from . import suppliers, trending

MIN_QUARTERS, DEFAULT_QUARTERS, MAX_QUARTERS = 4, 8, 12
ALPHA = 0.05


@dataclass(frozen=True)
class Quarter:
    first_day: date

    @property
    def last_day(self) -> date:
        return add_months(self.first_day, 3) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.first_day.year} Q{(self.first_day.month - 1) // 3 + 1}"

    @property
    def period(self) -> suppliers.Period:
        return suppliers.Period(self.first_day, self.last_day)


def quarters(count: int, today: date) -> list[Quarter]:
    """The `count` quarters up to and including today's, oldest first. Refused outside
    MIN_QUARTERS–MAX_QUARTERS, naming the range."""
    if not MIN_QUARTERS <= count <= MAX_QUARTERS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Show between %(low)s and %(high)s quarters; %(count)s were asked for.")
            % {"low": MIN_QUARTERS, "high": MAX_QUARTERS, "count": count},
            fields={"quarters": [_("Between %(low)s and %(high)s.")
                                 % {"low": MIN_QUARTERS, "high": MAX_QUARTERS}]},
        )  # fmt: skip
    current = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [Quarter(add_months(current, -3 * back)) for back in reversed(range(count))]


@dataclass
class QuarterFigures(suppliers.Figures):
    quarter: Quarter | None = None


@dataclass(frozen=True)
class Drift:
    defects: trending.RateTest | None  # defective per unit sampled
    rejections: trending.RateTest | None  # rejected per inspection

    @property
    def signal(self) -> bool:
        return any(test is not None and test.signal for test in (self.defects, self.rejections))


@dataclass
class SupplierTrend:
    supplier: Supplier
    quarters: list[QuarterFigures] = field(default_factory=list)

    @property
    def current(self) -> QuarterFigures:
        return self.quarters[-1]

    @property
    def earlier(self) -> suppliers.Figures:
        """The quarters before the latest, added up."""
        names = [counted.name for counted in fields(suppliers.Figures)]
        return suppliers.Figures(
            **{name: sum(getattr(q, name) for q in self.quarters[:-1]) for name in names}
        )

    @property
    def drift(self) -> Drift:
        earlier, current = self.earlier, self.current
        return Drift(
            defects=_test(earlier.defective, earlier.sampled, current.defective, current.sampled),
            rejections=_test(
                earlier.rejected, earlier.inspections, current.rejected, current.inspections
            ),
        )


def _test(earlier_count, earlier_exposure, current_count, current_exposure):
    if not earlier_exposure or not current_exposure:
        return None
    return trending.rate_test(
        earlier_count, earlier_exposure, current_count, current_exposure,
        alpha=ALPHA, confidence=1 - 2 * ALPHA,
    )  # fmt: skip


def supplier_trends(user, *, site=None, count: int = DEFAULT_QUARTERS, today: date):
    """Every supplier with a figure in the `count` quarters up to today's, at the reader's sites
    (or `site`): {supplier id: SupplierTrend}, each with every quarter of the window."""
    window = quarters(count, today)
    period = suppliers.Period(window[0].first_day, window[-1].last_day)
    found: dict[int, dict[date, QuarterFigures]] = {}

    def of(supplier_id: int, first_day: date) -> QuarterFigures:
        if supplier_id not in found:
            found[supplier_id] = {q.first_day: QuarterFigures(quarter=q) for q in window}
        return found[supplier_id][first_day]

    inspections = suppliers.incoming_inspections(user, site, period)
    suppliers.count_inspections(of, inspections, quarterly=True)
    suppliers.count_ncrs(of, user, site, period, quarterly=True)
    suppliers.count_receipts(of, user, site, period, quarterly=True)
    named = Supplier.objects.in_bulk(list(found))
    return {
        supplier_id: SupplierTrend(named[supplier_id], list(by_quarter.values()))
        for supplier_id, by_quarter in found.items()
    }


def trend_of(user, supplier: Supplier, *, site=None, count: int, today: date) -> SupplierTrend:
    """One supplier's trend; every quarter empty when it has no figure in the window."""
    found = supplier_trends(user, site=site, count=count, today=today).get(supplier.pk)
    if found is not None:
        return found
    return SupplierTrend(supplier, [QuarterFigures(quarter=q) for q in quarters(count, today)])


def as_data(trend: SupplierTrend) -> dict:
    """The trend as JSON: what the page's chart draws and the API returns."""
    drift = trend.drift
    return {
        "supplier": trend.supplier.code,
        "name": trend.supplier.display_name,
        "quarters": [_quarter_data(figures) for figures in trend.quarters],
        "drift": {
            "signal": drift.signal,
            "defects": _test_data(drift.defects),
            "rejections": _test_data(drift.rejections),
        },
    }


def _quarter_data(figures: QuarterFigures) -> dict:
    return {
        "quarter": figures.quarter.label,
        "first_day": figures.quarter.first_day.isoformat(),
        "last_day": figures.quarter.last_day.isoformat(),
        "inspections": figures.inspections, "accepted": figures.accepted,
        "acceptance_rate": figures.acceptance_rate, "sampled": figures.sampled,
        "defective": figures.defective, "ppm": figures.ppm, "ncrs": figures.ncrs,
        "receipts": figures.receipts, "on_time": figures.on_time,
        "on_time_rate": figures.on_time_rate,
    }  # fmt: skip


def _test_data(test: trending.RateTest | None) -> dict | None:
    if test is None:
        return None
    return {
        "earlier_rate": test.baseline_rate,
        "current_rate": test.current_rate,
        "rate_ratio": None if test.rate_ratio in (None, math.inf) else test.rate_ratio,
        "p_value": test.p_value,
        "signal": test.signal,
    }
