"""Trend signals for complaint rates: is the complaint rate of the current period (complaints per
unit shipped) significantly higher than in a baseline period (EU MDR Article 88 trend reporting)?

Plain Python (standard library only), like the SPC module whose gamma and chi-square helpers it
reuses.

References:
  Poisson tail   P(X >= n) for X ~ Poisson(mu) is the regularized lower gamma P(n, mu).
  Binomial tail  P(Y >= k) for Y ~ Binomial(n, p) is the regularized beta I_p(k, n - k + 1)
                 (Abramowitz and Stegun 26.5.24), evaluated by its continued fraction (26.5.8).
  Rate test      The exact conditional test of two Poisson rates (Przyborowski and Wilenski,
                 Biometrika 31, 1940): given the total, the current count is binomial. R's
                 poisson.test does the same; its interval for the ratio is the Clopper-Pearson
                 interval of the binomial proportion (Biometrika 26, 1934) turned into a ratio.
  Rate interval  Garwood, "Fiducial limits for the Poisson distribution", Biometrika 28, 1936.
  CUSUM          J. M. Lucas, "Counted data CUSUM's", Technometrics 27(2), 1985.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medtrace.analytics.spc import Interval, _chi_square_quantile, _regularized_lower_gamma

DEFAULT_IN_CONTROL_ARL = 100.0


@dataclass(frozen=True)
class RateTest:
    baseline_rate: float
    current_rate: float
    # current rate / baseline rate: infinite when only the baseline has no complaints, None when
    # neither period has any.
    rate_ratio: float | None
    p_value: float
    ratio_interval: Interval
    signal: bool


@dataclass(frozen=True)
class Cusum:
    statistics: list[float]
    reference_values: list[float]
    decision_interval: float
    first_signal: int | None


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected), exact (through the incomplete gamma function,
    so large counts neither overflow nor lose the tail)."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    return _regularized_lower_gamma(observed, expected)


def binomial_upper_tail(successes: int, trials: int, probability: float) -> float:
    """P(Y >= successes) for Y ~ Binomial(trials, probability), exact."""
    if trials < 0:
        raise ValueError(f"trials must not be negative; got {trials}")
    if not 0 <= probability <= 1:
        raise ValueError(f"probability must be between 0 and 1; got {probability}")
    if successes <= 0:
        return 1.0
    if successes > trials or probability == 0:
        return 0.0
    if probability == 1:
        return 1.0
    return _regularized_beta(probability, successes, trials - successes + 1)


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """The exact (Clopper-Pearson) two-sided interval for a binomial proportion: each bound is
    the proportion at which the observed count, or a more extreme one, has probability
    (1 - confidence) / 2."""
    _check_confidence(confidence)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}); got {successes}")
    tail = (1 - confidence) / 2
    return Interval(
        _lowest_proportion(successes, trials, tail),
        1 - _lowest_proportion(trials - successes, trials, tail),
    )


def poisson_rate_interval(count: int, exposure: float, confidence: float = 0.95) -> Interval:
    """Garwood's exact two-sided interval for a Poisson rate (events per unit of exposure), from
    the chi-square quantiles with 2 count and 2 count + 2 degrees of freedom."""
    _check_count("count", count)
    _check_exposure("exposure", exposure)
    _check_confidence(confidence)
    tail = (1 - confidence) / 2
    low = _chi_square_quantile(tail, 2 * count) / 2 if count > 0 else 0.0
    high = _chi_square_quantile(1 - tail, 2 * count + 2) / 2
    return Interval(low / exposure, high / exposure)


def rate_test(
    baseline_count: int,
    baseline_exposure: float,
    current_count: int,
    current_exposure: float,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> RateTest:
    """Test whether the current complaint rate exceeds the baseline rate. Exposures are units
    shipped (or any measure of opportunity); rates are complaints per unit of exposure.

    Given the total n of both counts, equal rates make the current count binomial with n trials
    and probability current_exposure / (current_exposure + baseline_exposure); the one-sided
    p-value is its upper tail at the current count. `ratio_interval` is two-sided at
    `confidence`, so with confidence = 1 - 2 alpha its lower bound exceeds 1 exactly when the
    test signals.

    A baseline without complaints still gives an exact test: the p-value is then that
    probability raised to the current count (so with equal exposures and alpha 0.05 it takes 5
    current complaints to signal), the ratio is infinite and so is the upper bound of its
    interval. Without complaints in either period the p-value is 1 and the ratio None."""
    _check_count("baseline_count", baseline_count)
    _check_count("current_count", current_count)
    _check_exposure("baseline_exposure", baseline_exposure)
    _check_exposure("current_exposure", current_exposure)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha}")
    _check_confidence(confidence)
    total = baseline_count + current_count
    baseline_rate = baseline_count / baseline_exposure
    current_rate = current_count / current_exposure
    ratio = None
    if baseline_count > 0:
        ratio = current_rate / baseline_rate
    elif current_count > 0:
        ratio = math.inf
    share = current_exposure / (current_exposure + baseline_exposure)
    p_value = binomial_upper_tail(current_count, total, share)
    # The rate ratio is the odds of the binomial proportion times baseline / current exposure.
    # The upper bound comes from the lower bound of the complementary proportion, which keeps
    # its precision when the proportion is close to 1.
    tail = (1 - confidence) / 2
    exposure_ratio = baseline_exposure / current_exposure
    low = _lowest_proportion(current_count, total, tail)
    complement_low = _lowest_proportion(baseline_count, total, tail)
    high = math.inf if complement_low == 0 else (1 - complement_low) / complement_low
    return RateTest(
        baseline_rate=baseline_rate,
        current_rate=current_rate,
        rate_ratio=ratio,
        p_value=p_value,
        ratio_interval=Interval(low / (1 - low) * exposure_ratio, high * exposure_ratio),
        signal=p_value < alpha and ratio is not None and ratio > 1,
    )


def cusum_decision_interval(shift: float, in_control_arl: float = DEFAULT_IN_CONTROL_ARL) -> float:
    """The decision interval h, in complaints, that holds the in-control average run length of
    poisson_cusum at `in_control_arl` periods or more, whatever the exposures.

    Each period adds ln(shift) (x - k) to the log-likelihood-ratio CUSUM, so poisson_cusum is
    that CUSUM divided by ln(shift). In control the likelihood ratio of every period has mean 1,
    which bounds the average run length of the log-likelihood-ratio CUSUM with threshold c from
    below by e^c (Lorden 1971; the Shiryaev-Roberts martingale argument needs only independent
    periods, not identical ones). Hence h = ln(in_control_arl) / ln(shift). The bound is
    conservative: the actual in-control run length is typically several times longer."""
    _check_shift(shift)
    if not in_control_arl > 1:
        raise ValueError(f"in_control_arl must be greater than 1; got {in_control_arl}")
    return math.log(in_control_arl) / math.log(shift)


def poisson_cusum(
    counts: Sequence[int],
    exposures: Sequence[float],
    baseline_rate: float,
    shift: float = 2.0,
    h: float | None = None,
) -> Cusum:
    """Lucas's upper Poisson CUSUM with an exposure per period. In control period t expects
    mu0 = baseline_rate * exposure complaints, out of control mu1 = shift * mu0; its reference
    value is k_t = (mu1 - mu0) / (ln mu1 - ln mu0) = (shift - 1) mu0 / ln(shift), and
    S_t = max(0, S_(t-1) + x_t - k_t) from S_0 = 0. The first period (0-based) with S_t > h is
    reported; the statistic is not reset there. Without h the decision interval comes from
    cusum_decision_interval(shift)."""
    if len(counts) != len(exposures):
        raise ValueError(
            f"counts and exposures must have the same length; got {len(counts)} and "
            f"{len(exposures)}"
        )
    for count in counts:
        _check_count("counts", count)
    for exposure in exposures:
        if not (exposure >= 0 and math.isfinite(exposure)):
            raise ValueError(f"exposures must be finite and not negative; got {exposure}")
    if not (baseline_rate > 0 and math.isfinite(baseline_rate)):
        raise ValueError(f"baseline_rate must be positive and finite; got {baseline_rate}")
    _check_shift(shift)
    if h is None:
        h = cusum_decision_interval(shift)
    elif not h > 0:
        raise ValueError(f"h must be positive; got {h}")
    # A period without exposure expects no complaints either way, so its k is 0.
    references = [
        (shift - 1) * baseline_rate * exposure / math.log(shift) for exposure in exposures
    ]
    statistics = []
    statistic = 0.0
    first_signal = None
    for period, (count, reference) in enumerate(zip(counts, references, strict=True)):
        statistic = max(0.0, statistic + count - reference)
        statistics.append(statistic)
        if first_signal is None and statistic > h:
            first_signal = period
    return Cusum(
        statistics=statistics,
        reference_values=references,
        decision_interval=h,
        first_signal=first_signal,
    )


def _lowest_proportion(successes: int, trials: int, tail: float) -> float:
    """The proportion at which `successes` or more out of `trials` has probability `tail`: the
    lower Clopper-Pearson bound (0 without successes)."""
    if successes == 0:
        return 0.0
    return _root_of_increasing(
        lambda proportion: binomial_upper_tail(successes, trials, proportion), tail
    )


def _root_of_increasing(function: Callable[[float], float], target: float) -> float:
    """The point in (0, 1) where an increasing function reaches `target`, by bisection to full
    relative precision (roots close to 0 keep their significant digits)."""
    low, high = 0.0, 1.0
    while True:
        middle = (low + high) / 2
        if middle in (low, high) or high - low <= 1e-15 * high:
            return middle
        if function(middle) < target:
            low = middle
        else:
            high = middle


def _regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) for 0 < x < 1, from the continued fraction (Abramowitz and Stegun 26.5.8),
    evaluated with the modified Lentz method. The fraction converges fast below
    x = (a + 1) / (a + b + 2); above, I_x(a, b) = 1 - I_(1-x)(b, a)."""
    if x > (a + 1) / (a + b + 2):
        return 1 - _regularized_beta(1 - x, b, a)
    log_front = (
        a * math.log(x) + b * math.log1p(-x) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    )
    # The fraction needs on the order of sqrt(max(a, b)) terms.
    most_terms = 1000 + 20 * math.isqrt(int(max(a, b)))
    tiny = 1e-300
    numerator_ratio = 1.0
    denominator_ratio = 0.0
    fraction = 1.0
    for term in range(1, most_terms):
        m = term // 2
        if term % 2:
            coefficient = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        else:
            coefficient = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        denominator_ratio = 1 + coefficient * denominator_ratio
        denominator_ratio = tiny if abs(denominator_ratio) < tiny else denominator_ratio
        numerator_ratio = 1 + coefficient / numerator_ratio
        numerator_ratio = tiny if abs(numerator_ratio) < tiny else numerator_ratio
        denominator_ratio = 1 / denominator_ratio
        delta = numerator_ratio * denominator_ratio
        fraction *= delta
        if abs(delta - 1) < 1e-15:
            return math.exp(log_front) / (a * fraction)
    raise ArithmeticError(f"the incomplete beta fraction did not converge for I_{x}({a}, {b})")


def _check_count(name: str, count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(
            f"{name}: complaint counts must be whole numbers, not negative; got {count}"
        )


def _check_exposure(name: str, exposure: float) -> None:
    if not (exposure > 0 and math.isfinite(exposure)):
        raise ValueError(f"{name} must be positive and finite; got {exposure}")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")


def _check_shift(shift: float) -> None:
    if not (shift > 1 and math.isfinite(shift)):
        raise ValueError(f"shift must be greater than 1 (an increase to detect); got {shift}")
