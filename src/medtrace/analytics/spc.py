"""Statistical process control: Shewhart control charts, Nelson's run rules and process
capability indices with confidence intervals.

Plain Python (standard library only) so that it can run anywhere a measurement series is at hand.

References:
  Charts      NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2 (X-bar and R, X-bar and S)
              and 6.3.2.2 (individuals and moving range).
  Run rules   L. S. Nelson, "The Shewhart Control Chart - Tests for Special Causes",
              Journal of Quality Technology 16(4), 1984 (rule numbering as there).
  Capability  NIST/SEMATECH e-Handbook 6.1.6: chi-square interval for Cp and Pp, Bissell's (1990)
              normal approximation for Cpk and Ppk.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Factors for X-bar and R charts, n = 2..10: (A2, D3, D4, d2). Standard table of the ASTM Manual
# on Presentation of Data and Control Chart Analysis (STP-15D), as reprinted in NIST/SEMATECH
# e-Handbook 6.3.2.1 and Montgomery, Introduction to Statistical Quality Control, Appendix VI.
_R_CHART_FACTORS: dict[int, tuple[float, float, float, float]] = {
    2: (1.880, 0.0, 3.267, 1.128),
    3: (1.023, 0.0, 2.574, 1.693),
    4: (0.729, 0.0, 2.282, 2.059),
    5: (0.577, 0.0, 2.114, 2.326),
    6: (0.483, 0.0, 2.004, 2.534),
    7: (0.419, 0.076, 1.924, 2.704),
    8: (0.373, 0.136, 1.864, 2.847),
    9: (0.337, 0.184, 1.816, 2.970),
    10: (0.308, 0.223, 1.777, 3.078),
}

# Factors for X-bar and S charts, n = 11..25: (A3, B3, B4, c4). Same table (ASTM STP-15D);
# smaller subgroups use the R chart, larger ones the c4 approximation in _s_chart_factors.
_S_CHART_FACTORS: dict[int, tuple[float, float, float, float]] = {
    11: (0.927, 0.321, 1.679, 0.9754),
    12: (0.886, 0.354, 1.646, 0.9776),
    13: (0.850, 0.382, 1.618, 0.9794),
    14: (0.817, 0.406, 1.594, 0.9810),
    15: (0.789, 0.428, 1.572, 0.9823),
    16: (0.763, 0.448, 1.552, 0.9835),
    17: (0.739, 0.466, 1.534, 0.9845),
    18: (0.718, 0.482, 1.518, 0.9854),
    19: (0.698, 0.497, 1.503, 0.9862),
    20: (0.680, 0.510, 1.490, 0.9869),
    21: (0.663, 0.523, 1.477, 0.9876),
    22: (0.647, 0.534, 1.466, 0.9882),
    23: (0.633, 0.545, 1.455, 0.9887),
    24: (0.619, 0.555, 1.445, 0.9892),
    25: (0.606, 0.565, 1.435, 0.9896),
}

# A moving range of two consecutive values is the range of a subgroup of two.
_MR_D4 = _R_CHART_FACTORS[2][2]
_MR_D2 = _R_CHART_FACTORS[2][3]

_RULE_NUMBERS = range(1, 9)


@dataclass(frozen=True)
class Limits:
    center: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Chart:
    kind: str
    subgroup_size: int
    baseline: int
    location: Limits
    spread: Limits
    points: list[float]
    spread_points: list[float | None]
    sigma_within: float


@dataclass(frozen=True)
class Violation:
    rule: int
    points: tuple[int, ...]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Capability:
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None
    cp_interval: Interval | None
    cpk_interval: Interval | None
    pp_interval: Interval | None
    ppk_interval: Interval | None


def control_chart(subgroups: Sequence[Sequence[float]], baseline: int | None = None) -> Chart:
    """Chart the subgroups: individuals and moving range for n = 1, X-bar and R for n = 2..10,
    X-bar and S above. Center lines and limits come from the first `baseline` subgroups
    (default: all of them); later subgroups are plotted against those limits."""
    if not subgroups:
        raise ValueError("no subgroups to chart")
    sizes = sorted({len(subgroup) for subgroup in subgroups})
    if len(sizes) > 1:
        raise ValueError(f"subgroups must all have the same size; got sizes {sizes}")
    size = sizes[0]
    if size == 0:
        raise ValueError("subgroups must hold at least one value")
    count = len(subgroups)
    baseline = count if baseline is None else baseline
    minimum = 2 if size == 1 else 1
    if baseline < minimum:
        why = " (individuals need at least one moving range)" if size == 1 else ""
        raise ValueError(f"baseline must be at least {minimum}{why}; got {baseline}")
    if baseline > count:
        raise ValueError(
            f"baseline must not exceed the number of subgroups ({count}); got {baseline}"
        )
    if size == 1:
        return _individuals_chart([subgroup[0] for subgroup in subgroups], baseline)
    means = [statistics.fmean(subgroup) for subgroup in subgroups]
    grand_mean = statistics.fmean(means[:baseline])
    if size <= 10:
        a2, d3, d4, d2 = _R_CHART_FACTORS[size]
        ranges: list[float | None] = [max(subgroup) - min(subgroup) for subgroup in subgroups]
        mean_range = statistics.fmean(ranges[:baseline])
        return Chart(
            kind="xbar_r",
            subgroup_size=size,
            baseline=baseline,
            location=Limits(grand_mean, grand_mean - a2 * mean_range, grand_mean + a2 * mean_range),
            spread=Limits(mean_range, d3 * mean_range, d4 * mean_range),
            points=means,
            spread_points=ranges,
            sigma_within=mean_range / d2,
        )
    a3, b3, b4, c4 = _s_chart_factors(size)
    deviations: list[float | None] = [statistics.stdev(subgroup) for subgroup in subgroups]
    mean_deviation = statistics.fmean(deviations[:baseline])
    return Chart(
        kind="xbar_s",
        subgroup_size=size,
        baseline=baseline,
        location=Limits(
            grand_mean, grand_mean - a3 * mean_deviation, grand_mean + a3 * mean_deviation
        ),
        spread=Limits(mean_deviation, b3 * mean_deviation, b4 * mean_deviation),
        points=means,
        spread_points=deviations,
        sigma_within=mean_deviation / c4,
    )


def _individuals_chart(values: list[float], baseline: int) -> Chart:
    moving_ranges: list[float | None] = [None]
    moving_ranges += [abs(current - previous) for previous, current in itertools.pairwise(values)]
    center = statistics.fmean(values[:baseline])
    mean_moving_range = statistics.fmean(moving_ranges[1:baseline])
    sigma = mean_moving_range / _MR_D2
    return Chart(
        kind="i_mr",
        subgroup_size=1,
        baseline=baseline,
        location=Limits(center, center - 3 * sigma, center + 3 * sigma),
        spread=Limits(mean_moving_range, 0.0, _MR_D4 * mean_moving_range),
        points=list(values),
        spread_points=moving_ranges,
        sigma_within=sigma,
    )


def _s_chart_factors(size: int) -> tuple[float, float, float, float]:
    if size in _S_CHART_FACTORS:
        return _S_CHART_FACTORS[size]
    # Beyond the table: c4 ~ 4(n-1)/(4n-3) and the 3-sigma limits it implies.
    c4 = 4 * (size - 1) / (4 * size - 3)
    spread = 3 * math.sqrt(1 - c4 * c4) / c4
    return 3 / (c4 * math.sqrt(size)), max(0.0, 1 - spread), 1 + spread, c4


def nelson_rules(
    points: Sequence[float], center: float, sigma: float, rules: Iterable[int] = _RULE_NUMBERS
) -> list[Violation]:
    """Nelson's eight tests for special causes. `sigma` is the sigma of the plotted statistic,
    i.e. a third of the distance from the center line to a control limit. Runs are reported
    once, with all their points; overlapping windows of rules 5 and 6 are merged."""
    if not sigma > 0:
        raise ValueError(f"sigma must be positive; got {sigma}")
    wanted = set(rules)
    unknown = sorted(wanted - set(_RULE_NUMBERS))
    if unknown:
        raise ValueError(f"Nelson rules are numbered 1 to 8; got {unknown}")
    z = [(point - center) / sigma for point in points]
    steps = [_sign(after - before) for before, after in itertools.pairwise(points)]
    found: list[Violation] = []

    def report(rule: int, spans: Iterable[tuple[int, int]]) -> None:
        if rule in wanted:
            found.extend(Violation(rule, tuple(range(start, end))) for start, end in spans)

    report(1, ((i, i + 1) for i, value in enumerate(z) if abs(value) > 3))
    for side in (1, -1):
        report(2, _runs([_sign(value) == side for value in z], 9))
        # A run of k equal steps covers k + 1 points.
        report(3, ((s, e + 1) for s, e in _runs([step == side for step in steps], 5)))
        report(5, _windows([side * value > 2 for value in z], size=3, needed=2))
        report(6, _windows([side * value > 1 for value in z], size=5, needed=4))
    # k alternations between consecutive steps cover k + 2 points.
    alternations = [first * second == -1 for first, second in itertools.pairwise(steps)]
    report(4, ((s, e + 2) for s, e in _runs(alternations, 12)))
    report(7, _runs([abs(value) < 1 for value in z], 15))
    report(8, _runs([abs(value) > 1 for value in z], 8))
    return sorted(found, key=lambda violation: (violation.points[0], violation.rule))


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _runs(flags: Sequence[bool], minimum: int) -> list[tuple[int, int]]:
    """Maximal runs of true flags at least `minimum` long, as (start, end) with end exclusive."""
    runs = []
    start = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if index - start >= minimum:
                runs.append((start, index))
            start = None
    return runs


def _windows(flags: Sequence[bool], size: int, needed: int) -> list[tuple[int, int]]:
    """Windows of `size` consecutive points holding at least `needed` true flags, with windows
    that share a point merged, as (start, end) with end exclusive."""
    spans: list[tuple[int, int]] = []
    for start in range(len(flags) - size + 1):
        if sum(flags[start : start + size]) < needed:
            continue
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], start + size)
        else:
            spans.append((start, start + size))
    return spans


def capability(
    values: Sequence[float],
    lsl: float | None,
    usl: float | None,
    sigma_within: float,
    confidence: float = 0.95,
) -> Capability:
    """Capability (Cp, Cpk: short-term sigma, e.g. Chart.sigma_within) and performance (Pp, Ppk:
    sample standard deviation of all values) with two-sided intervals at `confidence`, n - 1
    degrees of freedom. With one specification limit Cp and Pp are None and Cpk, Ppk are the
    one-sided indices; Pp and Ppk are also None when the values do not vary at all."""
    if lsl is None and usl is None:
        raise ValueError("capability needs at least one specification limit (lsl or usl)")
    if lsl is not None and usl is not None and lsl >= usl:
        raise ValueError(f"lsl must be below usl; got lsl={lsl}, usl={usl}")
    if len(values) < 2:
        raise ValueError(f"capability needs at least 2 values; got {len(values)}")
    if not sigma_within > 0:
        raise ValueError(f"sigma_within must be positive; got {sigma_within}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    n = len(values)
    mean = statistics.fmean(values)
    sigma_overall = statistics.stdev(values)
    alpha = 1 - confidence
    df = n - 1
    # Cp scales with 1/sigma, and (n-1)s^2/sigma^2 is chi-square with n-1 degrees of freedom.
    ratio = Interval(
        math.sqrt(_chi_square_quantile(alpha / 2, df) / df),
        math.sqrt(_chi_square_quantile(1 - alpha / 2, df) / df),
    )
    z = statistics.NormalDist().inv_cdf(1 - alpha / 2)

    def indices(
        sigma: float,
    ) -> tuple[float | None, float | None, Interval | None, Interval | None]:
        potential = None if lsl is None or usl is None else (usl - lsl) / (6 * sigma)
        sides = [(usl - mean) / (3 * sigma)] if usl is not None else []
        sides += [(mean - lsl) / (3 * sigma)] if lsl is not None else []
        actual = min(sides)
        potential_interval = None
        if potential is not None:
            potential_interval = Interval(potential * ratio.low, potential * ratio.high)
        # Bissell (1990): the standard error of Cpk is about sqrt(1/(9n) + Cpk^2/(2(n-1))).
        half_width = z * math.sqrt(1 / (9 * n) + actual * actual / (2 * df))
        return (
            potential,
            actual,
            potential_interval,
            Interval(actual - half_width, actual + half_width),
        )

    cp, cpk, cp_interval, cpk_interval = indices(sigma_within)
    pp = ppk = pp_interval = ppk_interval = None
    if sigma_overall > 0:
        pp, ppk, pp_interval, ppk_interval = indices(sigma_overall)
    return Capability(
        n=n,
        mean=mean,
        sigma_within=sigma_within,
        sigma_overall=sigma_overall,
        cp=cp,
        cpk=cpk,
        pp=pp,
        ppk=ppk,
        cp_interval=cp_interval,
        cpk_interval=cpk_interval,
        pp_interval=pp_interval,
        ppk_interval=ppk_interval,
    )


def _chi_square_quantile(probability: float, df: int) -> float:
    """The value below which a chi-square variable with `df` degrees of freedom falls with the
    given probability, by bisection on the distribution function."""
    if not 0 < probability < 1:
        raise ValueError(f"probability must be between 0 and 1; got {probability}")
    low, high = 0.0, float(max(df, 1))
    while _chi_square_cdf(high, df) < probability:
        low, high = high, 2 * high
    for _ in range(200):
        middle = (low + high) / 2
        if _chi_square_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


def _chi_square_cdf(x: float, df: int) -> float:
    return _regularized_lower_gamma(df / 2, x / 2)


def _regularized_lower_gamma(a: float, x: float) -> float:
    """P(a, x): by its power series below x = a + 1, where that converges fast, and as 1 - Q(a, x)
    from Legendre's continued fraction above (Abramowitz and Stegun 6.5.29 and 6.5.31; evaluated
    with the modified Lentz method)."""
    if x <= 0:
        return 0.0
    prefactor = math.exp(a * math.log(x) - x - math.lgamma(a))
    if x < a + 1:
        term = total = 1 / a
        denominator = a
        while abs(term) > abs(total) * 1e-16:
            denominator += 1
            term *= x / denominator
            total += term
        return prefactor * total
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    fraction = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        fraction *= delta
        if abs(delta - 1) < 1e-16:
            break
    return 1 - prefactor * fraction
