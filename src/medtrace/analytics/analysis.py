"""A series on its control chart: the chart chosen by subgroup size (individuals and moving
range for single readings, X̄-R up to ten, X̄-S above), limits from a baseline of the first
points, Nelson's rules on the plotted means, the points whose spread is above its upper limit,
and capability against the specification.

Subgroups of different sizes (an operation read three times, the next five) are charted as
individuals, every reading a point: limits from mixed subgroup sizes would mislead."""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from medtrace.analytics import spc
from medtrace.analytics.selectors import Series, Subgroup
from medtrace.core.errors import DomainError, ErrorCode

MIN_POINTS = 2

RULES = {
    1: _("One point more than 3σ from the center line"),
    2: _("Nine points in a row on the same side of the center line"),
    3: _("Six points in a row steadily increasing or decreasing"),
    4: _("Fourteen points in a row alternating up and down"),
    5: _("Two of three points in a row more than 2σ from the center line, same side"),
    6: _("Four of five points in a row more than 1σ from the center line, same side"),
    7: _("Fifteen points in a row within 1σ of the center line"),
    8: _("Eight points in a row more than 1σ from the center line, either side"),
}

CHART_NAMES = {
    "i_mr": _("Individuals and moving range"),
    "xbar_r": _("X̄ and range"),
    "xbar_s": _("X̄ and standard deviation"),
}


@dataclass
class Analysis:
    series: Series
    points: list[Subgroup]  # one per plotted point
    chart: spc.Chart
    violations: list[spc.Violation]  # Nelson's rules on the plotted values
    spread_above: list[int]  # points whose range, deviation or moving range is above its UCL
    capability: spc.Capability | None
    mixed_sizes: bool  # subgroups of different sizes, charted as individuals

    @property
    def chart_name(self) -> str:
        return str(CHART_NAMES[self.chart.kind])

    def violation(self, rule: int, first: int) -> spc.Violation | None:
        return next((v for v in self.violations if v.rule == rule and v.points[0] == first), None)


def _individuals(subgroups: list[Subgroup]) -> list[Subgroup]:
    return [replace(group, values=[value]) for group in subgroups for value in group.values]


def analyse(series: Series, baseline: int | None = None) -> Analysis:
    """The chart of `series` with limits from its first `baseline` points (all by default).
    Refused, naming the rule, when there are too few points or the baseline is out of range."""
    points = series.subgroups
    mixed = len({len(group.values) for group in points}) > 1
    if mixed:
        points = _individuals(points)
    if len(points) < MIN_POINTS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("A control chart needs at least %(minimum)s points; %(series)s has %(count)s.")
            % {"minimum": MIN_POINTS, "series": series.title, "count": len(points)},
        )
    if baseline is not None and not MIN_POINTS <= baseline <= len(points):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The baseline is the first %(minimum)s to %(count)s points.")
            % {"minimum": MIN_POINTS, "count": len(points)},
            fields={"baseline": [_("Between %(minimum)s and %(count)s.")
                                 % {"minimum": MIN_POINTS, "count": len(points)}]},
        )  # fmt: skip
    chart = spc.control_chart([group.values for group in points], baseline)
    sigma = (chart.location.upper - chart.location.center) / 3
    violations = spc.nelson_rules(chart.points, chart.location.center, sigma) if sigma > 0 else []
    return Analysis(
        series=series,
        points=points,
        chart=chart,
        violations=violations,
        spread_above=[
            index
            for index, spread in enumerate(chart.spread_points)
            if spread is not None and spread > chart.spread.upper
        ],
        capability=_capability(series, points, chart),
        mixed_sizes=mixed,
    )


def _capability(series: Series, points: list[Subgroup], chart: spc.Chart):
    lower, upper = series.lower_limit, series.upper_limit
    if (lower is None and upper is None) or chart.sigma_within <= 0:
        return None
    values = [value for group in points for value in group.values]
    return spc.capability(
        values,
        float(lower) if lower is not None else None,
        float(upper) if upper is not None else None,
        chart.sigma_within,
    )


def _number(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _interval(interval) -> list[float] | None:
    return None if interval is None else [_number(interval.low), _number(interval.high)]


def as_data(analysis: Analysis) -> dict:
    """The chart as plain data: the page's chart script and the API read the same."""
    chart, series, capability = analysis.chart, analysis.series, analysis.capability
    return {
        "title": series.title,
        "kind": series.kind,
        "unit": series.unit,
        "chart": chart.kind,
        "chart_name": analysis.chart_name,
        "subgroup_size": chart.subgroup_size,
        "mixed_sizes": analysis.mixed_sizes,
        "baseline": chart.baseline,
        "specification": {
            "lower": _number(series.lower_limit and float(series.lower_limit)),
            "target": _number(series.target and float(series.target)),
            "upper": _number(series.upper_limit and float(series.upper_limit)),
        },
        "location": {
            "center": _number(chart.location.center),
            "lower": _number(chart.location.lower),
            "upper": _number(chart.location.upper),
        },
        "spread": {
            "center": _number(chart.spread.center),
            "lower": _number(chart.spread.lower),
            "upper": _number(chart.spread.upper),
        },
        "sigma_within": _number(chart.sigma_within),
        "points": [
            {
                "label": group.label,
                "url": group.url,
                "at": group.at.isoformat(),
                "lot": group.lot,
                "values": [_number(value) for value in group.values],
                "value": _number(value),
                "spread": _number(spread),
            }
            for group, value, spread in zip(
                analysis.points, chart.points, chart.spread_points, strict=True
            )
        ],
        "spread_above": analysis.spread_above,
        "violations": [
            {"rule": v.rule, "description": str(RULES[v.rule]), "points": list(v.points)}
            for v in analysis.violations
        ],
        "capability": None
        if capability is None
        else {
            "n": capability.n,
            "mean": _number(capability.mean),
            "sigma_within": _number(capability.sigma_within),
            "sigma_overall": _number(capability.sigma_overall),
            **{name: _number(getattr(capability, name), 3) for name in ("cp", "cpk", "pp", "ppk")},
            **{
                f"{name}_interval": _interval(getattr(capability, f"{name}_interval"))
                for name in ("cp", "cpk", "pp", "ppk")
            },
        },
    }
