"""SPC module against published worked examples, Nelson's rules on constructed series, and the
refusals. Published values are compared at the precision they are printed with."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.analytics import spc
from medtrace.analytics.spc import (
    Interval,
    Limits,
    Violation,
    capability,
    control_chart,
    nelson_rules,
)

# NIST/SEMATECH e-Handbook 6.3.2.2, "Example of moving range": flow rate of the first 10 batches.
FLOW_RATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]

# Montgomery, Introduction to Statistical Quality Control, Example 6.1 / Table 6.1: flow width
# (microns) of the resist in a hard-bake process, 25 samples of 5 wafers.
HARD_BAKE = [
    [1.3235, 1.4128, 1.6744, 1.4573, 1.6914],
    [1.4314, 1.3592, 1.6075, 1.4666, 1.6109],
    [1.4284, 1.4871, 1.4932, 1.4324, 1.5674],
    [1.5028, 1.6352, 1.3841, 1.2831, 1.5507],
    [1.5604, 1.2735, 1.5265, 1.4363, 1.6441],
    [1.5955, 1.5451, 1.3574, 1.3281, 1.4198],
    [1.6274, 1.5064, 1.8366, 1.4177, 1.5144],
    [1.4190, 1.4303, 1.6637, 1.6067, 1.5519],
    [1.3884, 1.7277, 1.5355, 1.5176, 1.3688],
    [1.4039, 1.6697, 1.5089, 1.4627, 1.5220],
    [1.4158, 1.7667, 1.4278, 1.5928, 1.4181],
    [1.5821, 1.3355, 1.5777, 1.3908, 1.7559],
    [1.2856, 1.4106, 1.4447, 1.6398, 1.1928],
    [1.4951, 1.4036, 1.5893, 1.6458, 1.4969],
    [1.3589, 1.2863, 1.5996, 1.2497, 1.5471],
    [1.5747, 1.5301, 1.5171, 1.1839, 1.8662],
    [1.3680, 1.7269, 1.3957, 1.5014, 1.4449],
    [1.4163, 1.3864, 1.3057, 1.6210, 1.5573],
    [1.5796, 1.4185, 1.6541, 1.5116, 1.7247],
    [1.7106, 1.4412, 1.2361, 1.3820, 1.7601],
    [1.4371, 1.5051, 1.3485, 1.5670, 1.4880],
    [1.4738, 1.5936, 1.6583, 1.4973, 1.4720],
    [1.5917, 1.4333, 1.5551, 1.5295, 1.6866],
    [1.6399, 1.5243, 1.5705, 1.5563, 1.5530],
    [1.5797, 1.3663, 1.6240, 1.3732, 1.6887],
]


def test_individuals_chart_reproduces_nist_flow_rate_example():
    """NIST e-Handbook 6.3.2.2: x-bar 50.81, MR-bar 1.8778, UCL 55.8041, LCL 45.8159."""
    chart = control_chart([[value] for value in FLOW_RATE])

    assert chart.kind == "i_mr"
    assert chart.baseline == 10
    assert chart.points == FLOW_RATE
    assert chart.spread_points[0] is None
    assert chart.spread_points[1:] == pytest.approx([2.0, 2.3, 1.4, 3.5, 3.4, 1.4, 0.2, 1.2, 1.5])
    assert chart.location.center == pytest.approx(50.81, abs=1e-2)
    assert chart.location.upper == pytest.approx(55.8041, abs=1e-4)
    assert chart.location.lower == pytest.approx(45.8159, abs=1e-4)
    assert chart.spread.center == pytest.approx(1.8778, abs=1e-4)
    # D4 for a moving range of two is 3.267: UCL = 3.267 * 1.8778 = 6.1347.
    assert chart.spread.upper == pytest.approx(6.1347, abs=1e-4)
    assert chart.spread.lower == 0
    assert chart.sigma_within == pytest.approx(1.8778 / 1.128, abs=1e-4)


def test_points_after_the_baseline_do_not_move_the_limits():
    chart = control_chart([[value] for value in [*FLOW_RATE, 70.0, 20.0]], baseline=10)

    assert chart.baseline == 10
    assert chart.location.upper == pytest.approx(55.8041, abs=1e-4)
    assert chart.location.lower == pytest.approx(45.8159, abs=1e-4)
    assert len(chart.points) == 12
    assert chart.spread_points[-2:] == pytest.approx([17.9, 50.0])


def test_xbar_r_chart_reproduces_montgomery_hard_bake_example():
    """Montgomery, ISQC Example 6.1: x-double-bar 1.5056, R-bar 0.32521, x-bar chart
    UCL 1.6932 and LCL 1.3180 (A2 = 0.577), R chart UCL 0.68749 (D4 = 2.114), LCL 0."""
    chart = control_chart(HARD_BAKE)

    assert chart.kind == "xbar_r"
    assert chart.subgroup_size == 5
    assert chart.points[0] == pytest.approx(1.5119, abs=1e-4)
    assert chart.spread_points[0] == pytest.approx(0.3679, abs=1e-4)
    assert chart.location.center == pytest.approx(1.5056, abs=1e-4)
    assert chart.spread.center == pytest.approx(0.32521, abs=1e-5)
    assert chart.location.upper == pytest.approx(1.6932, abs=1e-4)
    assert chart.location.lower == pytest.approx(1.3180, abs=1e-4)
    assert chart.spread.upper == pytest.approx(0.68749, abs=1e-5)
    assert chart.spread.lower == 0
    # sigma = R-bar / d2 = 0.32521 / 2.326 = 0.1398
    assert chart.sigma_within == pytest.approx(0.1398, abs=1e-4)


def test_control_chart_constants_match_the_published_table():
    """Spot checks against the ASTM STP-15D table (NIST e-Handbook 6.3.2.1; Montgomery,
    Appendix VI): n = 5 has A2 0.577, D3 0, D4 2.114, d2 2.326; n = 20 has A3 0.680,
    B3 0.510, B4 1.490, c4 0.9869."""
    assert spc._R_CHART_FACTORS[5] == (0.577, 0.0, 2.114, 2.326)
    assert spc._R_CHART_FACTORS[2][3] == 1.128
    assert spc._S_CHART_FACTORS[20] == (0.680, 0.510, 1.490, 0.9869)


def test_xbar_s_chart_for_subgroups_larger_than_ten():
    """Hand-computed (no published example with n > 10 was found): each subgroup of 11 is
    5 values at m - a, one at m and 5 at m + a, so its mean is m and its standard deviation is
    sqrt(10 a^2 / 10) = a. Subgroups (m, a) = (10, 1) and (20, 2): x-double-bar 15, S-bar 1.5.
    With n = 11 (A3 0.927, B3 0.321, B4 1.679, c4 0.9754):
    x-bar limits 15 -/+ 0.927 * 1.5 = 13.6095 / 16.3905; S limits 0.321 * 1.5 = 0.4815 and
    1.679 * 1.5 = 2.5185; sigma = 1.5 / 0.9754 = 1.537831."""
    subgroups = [[9.0] * 5 + [10.0] + [11.0] * 5, [18.0] * 5 + [20.0] + [22.0] * 5]
    chart = control_chart(subgroups)

    assert chart.kind == "xbar_s"
    assert chart.subgroup_size == 11
    assert chart.points == pytest.approx([10.0, 20.0])
    assert chart.spread_points == pytest.approx([1.0, 2.0])
    assert chart.location == Limits(
        center=pytest.approx(15.0), lower=pytest.approx(13.6095), upper=pytest.approx(16.3905)
    )
    assert chart.spread == Limits(
        center=pytest.approx(1.5), lower=pytest.approx(0.4815), upper=pytest.approx(2.5185)
    )
    assert chart.sigma_within == pytest.approx(1.537831, abs=1e-6)


def test_xbar_s_chart_beyond_the_table_uses_the_c4_approximation():
    """n = 30: c4 = 4 * 29 / 117 = 0.991453, A3 = 3 / (c4 sqrt(30)) = 0.552444,
    B3/B4 = 1 -/+ 3 sqrt(1 - c4^2) / c4 = 0.605233 / 1.394767. At n = 25 the same formulas
    agree with the table to within 0.001."""
    subgroups = [[9.0] * 15 + [11.0] * 15, [8.0] * 15 + [12.0] * 15]
    deviation = math.sqrt(30 / 29)  # 15 values at m - a and 15 at m + a: s = a sqrt(30/29)
    chart = control_chart(subgroups)

    mean_deviation = 1.5 * deviation
    assert chart.kind == "xbar_s"
    assert chart.location.upper == pytest.approx(10 + 0.552444 * mean_deviation, abs=2e-6)
    assert chart.spread.lower == pytest.approx(0.605233 * mean_deviation, abs=2e-6)
    assert chart.spread.upper == pytest.approx(1.394767 * mean_deviation, abs=2e-6)
    assert chart.sigma_within == pytest.approx(mean_deviation / 0.991453, abs=2e-6)

    table = spc._S_CHART_FACTORS.pop(25)
    try:
        approximation = spc._s_chart_factors(25)
    finally:
        spc._S_CHART_FACTORS[25] = table
    assert approximation == pytest.approx(table, abs=1e-3)


def test_chi_square_quantiles_match_the_table():
    """Chi-square percentage points to 3 decimals (standard table, e.g. NIST e-Handbook
    1.3.6.7.4): df 10: 3.247 / 20.483; df 19: 8.907 / 32.852; df 24: 12.401 / 39.364;
    df 49: 31.555 / 70.222."""
    table = {10: (3.247, 20.483), 19: (8.907, 32.852), 24: (12.401, 39.364), 49: (31.555, 70.222)}
    for df, (lower, upper) in table.items():
        assert spc._chi_square_quantile(0.025, df) == pytest.approx(lower, abs=5e-4)
        assert spc._chi_square_quantile(0.975, df) == pytest.approx(upper, abs=5e-4)
    assert spc._chi_square_quantile(0.05, 1) == pytest.approx(0.00393, abs=5e-6)
    assert spc._chi_square_quantile(0.95, 1) == pytest.approx(3.841, abs=5e-4)


def test_capability_reproduces_nist_example():
    """NIST e-Handbook 6.1.6: USL 20, LSL 8, mean 16, sigma 2 give Cp 1, Cpu 0.6667,
    Cpl 1.3333 and Cpk 0.6667. The values 14, 16, 18 have mean 16 and s = sqrt(8/2) = 2."""
    result = capability([14.0, 16.0, 18.0], lsl=8.0, usl=20.0, sigma_within=2.0)

    assert (result.n, result.mean, result.sigma_overall) == (3, 16.0, 2.0)
    assert result.cp == pytest.approx(1.0)
    assert result.cpk == pytest.approx(0.6667, abs=1e-4)
    assert result.pp == pytest.approx(1.0)
    assert result.ppk == pytest.approx(0.6667, abs=1e-4)

    upper_only = capability([14.0, 16.0, 18.0], lsl=None, usl=20.0, sigma_within=2.0)
    assert upper_only.cp is None and upper_only.pp is None and upper_only.cp_interval is None
    assert upper_only.cpk == pytest.approx(0.6667, abs=1e-4)
    lower_only = capability([14.0, 16.0, 18.0], lsl=8.0, usl=None, sigma_within=2.0)
    assert lower_only.cpk == pytest.approx(1.3333, abs=1e-4)
    assert lower_only.ppk == pytest.approx(1.3333, abs=1e-4)


def test_capability_confidence_intervals():
    """The setting of Montgomery's Cp interval example (USL 62, LSL 38, n 20, sigma 1.75, so
    Cp = 24 / 10.5 = 2.285714), worked by hand with the chi-square table for df 19
    (0.025: 8.90655, 0.975: 32.8523), as NIST e-Handbook 6.1.6 prescribes:
      low  = 2.285714 * sqrt(8.90655 / 19) = 2.285714 * 0.684665 = 1.564949
      high = 2.285714 * sqrt(32.8523 / 19) = 2.285714 * 1.314941 = 3.005579
    The values alternate 50 and 56, so the mean is 53 and Cpk = (62 - 53) / 5.25 = 1.714286;
    Bissell's half-width is 1.959964 * sqrt(1/180 + 1.714286^2 / 38) = 1.959964 * 0.287909 =
    0.564291, giving 1.149995 to 2.278577."""
    values = [50.0, 56.0] * 10
    result = capability(values, lsl=38.0, usl=62.0, sigma_within=1.75)

    assert result.cp == pytest.approx(2.285714, abs=1e-6)
    assert result.cp_interval == Interval(
        low=pytest.approx(1.564949, abs=1e-5), high=pytest.approx(3.005579, abs=1e-5)
    )
    assert result.cpk == pytest.approx(1.714286, abs=1e-6)
    assert result.cpk_interval == Interval(
        low=pytest.approx(1.149995, abs=1e-5), high=pytest.approx(2.278577, abs=1e-5)
    )
    # Pp and Ppk use the sample standard deviation, s = 3 sqrt(20/19), with the same formulas.
    assert result.sigma_overall == pytest.approx(3 * math.sqrt(20 / 19))
    assert result.pp_interval.low / result.pp == pytest.approx(result.cp_interval.low / result.cp)
    assert result.pp_interval.high / result.pp == pytest.approx(result.cp_interval.high / result.cp)
    assert result.ppk_interval.low < result.ppk < result.ppk_interval.high

    wider = capability(values, lsl=38.0, usl=62.0, sigma_within=1.75, confidence=0.99)
    assert wider.cp_interval.low < result.cp_interval.low
    assert wider.cp_interval.high > result.cp_interval.high


def test_capability_without_spread_has_no_performance_indices():
    result = capability([5.0, 5.0, 5.0], lsl=4.0, usl=6.0, sigma_within=0.1)

    assert result.cp == pytest.approx(2 / 0.6)
    assert (result.pp, result.ppk, result.pp_interval, result.ppk_interval) == (None,) * 4


# Nelson's rules on constructed series around center 0 with sigma 1, so values are z-scores.


def rules_broken(series, **kwargs):
    return nelson_rules(series, center=0.0, sigma=1.0, **kwargs)


def test_rule_1_one_point_beyond_three_sigma():
    series = [0.5, -0.5, 3.5, 0.2, -3.2, 0.1]

    assert rules_broken(series) == [Violation(1, (2,)), Violation(1, (4,))]


def test_rule_2_nine_or_more_on_one_side_is_one_violation_per_run():
    run = [0.2, 0.5, 0.3, 0.6, 0.1, 0.4, 0.2, 0.7, 0.3, 0.5, 0.2]
    series = [-0.4, *run, -0.3]

    assert rules_broken(series) == [Violation(2, tuple(range(1, 12)))]


def test_rule_2_points_on_the_center_line_break_the_run():
    series = [0.2, 0.5, 0.3, 0.6, 0.1, 0.0, 0.4, 0.2, 0.7, 0.3, 0.5]

    assert rules_broken(series, rules=[2]) == []


def test_rule_3_six_points_steadily_increasing_or_decreasing():
    series = [0.1, -0.5, -0.3, 0.0, 0.2, 0.4, 0.6, 0.1, 0.0, -0.1, -0.2, -0.4, -0.7, -0.6]

    assert rules_broken(series) == [
        Violation(3, (1, 2, 3, 4, 5, 6)),
        Violation(3, (6, 7, 8, 9, 10, 11, 12)),
    ]


def test_rule_3_equal_values_break_the_trend():
    series = [-0.5, -0.3, 0.0, 0.0, 0.2, 0.4, 0.6]

    assert rules_broken(series, rules=[3]) == []


def test_rule_4_fourteen_points_alternating():
    alternating = [0.5, -0.5, 1.5, -0.5, 0.5, -1.5, 0.5, -0.5, 1.5, -0.5, 0.5, -1.5, 0.5, -0.5]
    series = [*alternating, -0.6]

    assert rules_broken(series) == [Violation(4, tuple(range(14)))]


def test_rule_4_equal_values_break_the_alternation():
    series = [0.5, -0.5, 1.5, -0.5, 0.5, -1.5, 0.5, 0.5, -0.5, 1.5, -0.5, 0.5, -1.5, 0.5, -0.5]

    assert rules_broken(series, rules=[4]) == []


def test_rule_5_two_of_three_beyond_two_sigma_on_one_side():
    series = [0.1, 2.5, -0.3, 2.4, 0.2, -0.1, 0.3]

    assert rules_broken(series) == [Violation(5, (1, 2, 3))]


def test_rule_5_merges_overlapping_windows_and_needs_one_side():
    merged = [0.0, 2.5, 2.6, 0.1, 2.2, 0.0, 0.3]
    opposite = [0.1, 2.5, -2.5, 0.1, -0.2]

    assert rules_broken(merged) == [Violation(5, (0, 1, 2, 3, 4))]
    assert rules_broken(opposite) == []


def test_rule_6_four_of_five_beyond_one_sigma_on_one_side():
    series = [0.0, 1.5, 1.2, 0.3, 1.8, 1.1, 0.2, -0.1, 0.0]

    assert rules_broken(series) == [Violation(6, (1, 2, 3, 4, 5))]


def test_rule_7_fifteen_points_within_one_sigma():
    hugging = [0.2, 0.5, -0.3, -0.1, 0.4, 0.1, -0.6, -0.2, 0.3, 0.6, -0.4, -0.5, 0.2, 0.0, -0.3]
    series = [1.5, *hugging, -1.6]

    assert rules_broken(series) == [Violation(7, tuple(range(1, 16)))]


def test_rule_8_eight_points_beyond_one_sigma_on_either_side():
    series = [0.0, 1.5, -1.5, 1.2, -1.3, 1.6, -1.1, 1.4, -1.2, 0.5]

    assert rules_broken(series) == [Violation(8, tuple(range(1, 9)))]


def test_violations_are_sorted_by_first_point_then_rule_and_can_be_selected():
    series = [0.2, 0.5, 0.3, 0.6, 0.1, 3.4, 0.2, 0.7, 0.3, 0.5]

    assert rules_broken(series) == [Violation(2, tuple(range(10))), Violation(1, (5,))]
    assert rules_broken(series, rules=[1]) == [Violation(1, (5,))]
    assert nelson_rules(series, center=10.0, sigma=1.0, rules=[2]) == [
        Violation(2, tuple(range(10)))
    ]


def test_a_series_in_statistical_control_breaks_no_rule():
    series = [
        *[0.5, -0.3, 1.5, 0.2, -1.2, -0.4, 0.8, 0.1, -0.6, 1.2],
        *[-0.2, 0.4, -1.5, 0.3, 0.9, -0.8, 0.2, 1.1, -0.5, 0.6],
    ]

    assert rules_broken(series) == []
    # The same series on a real scale: center 100, sigma 2.
    assert nelson_rules([100 + 2 * z for z in series], center=100.0, sigma=2.0) == []


def test_refusals():
    with pytest.raises(ValueError, match=r"same size; got sizes \[2, 3\]"):
        control_chart([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="no subgroups"):
        control_chart([])
    with pytest.raises(ValueError, match=r"at least 2 .*moving range"):
        control_chart([[1.0], [2.0], [3.0]], baseline=1)
    with pytest.raises(ValueError, match="at least 1"):
        control_chart([[1.0, 2.0], [2.0, 3.0]], baseline=0)
    with pytest.raises(ValueError, match=r"must not exceed the number of subgroups \(2\); got 3"):
        control_chart([[1.0, 2.0], [2.0, 3.0]], baseline=3)
    with pytest.raises(ValueError, match="at least one specification limit"):
        capability([1.0, 2.0], lsl=None, usl=None, sigma_within=1.0)
    with pytest.raises(ValueError, match="lsl must be below usl"):
        capability([1.0, 2.0], lsl=5.0, usl=5.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="lsl must be below usl"):
        capability([1.0, 2.0], lsl=6.0, usl=5.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="at least 2 values"):
        capability([1.0], lsl=0.0, usl=5.0, sigma_within=1.0)
    with pytest.raises(ValueError, match="sigma_within must be positive"):
        capability([1.0, 2.0], lsl=0.0, usl=5.0, sigma_within=0.0)
    with pytest.raises(ValueError, match="sigma must be positive"):
        nelson_rules([1.0, 2.0], center=1.5, sigma=0.0)
    with pytest.raises(ValueError, match=r"numbered 1 to 8; got \[9\]"):
        nelson_rules([1.0, 2.0], center=1.5, sigma=1.0, rules=[1, 9])


@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=2,
        max_size=60,
    ),
    st.data(),
)
def test_individuals_chart_properties(values, data):
    baseline = data.draw(st.integers(min_value=2, max_value=len(values)), label="baseline")
    chart = control_chart([[value] for value in values], baseline=baseline)
    location = chart.location

    tolerance = 1e-9 * (1 + max(abs(value) for value in values))
    assert location.center == pytest.approx(statistics.fmean(values[:baseline]), abs=tolerance)
    assert location.upper - location.center == pytest.approx(
        location.center - location.lower, abs=tolerance
    )
    sigma = (location.upper - location.center) / 3
    if sigma > 0:
        for violation in nelson_rules(chart.points, location.center, sigma):
            assert all(0 <= index < len(values) for index in violation.points)
