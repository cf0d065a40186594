"""ISO 2859-1 / ANSI/ASQ Z1.4 / MIL-STD-105E single sampling: tables, verdicts, switching.

The expected plans below are typed from the published tables, not computed by the module:
MIL-STD-105E Tables I, II-A, II-B and II-C (10 May 1989, public domain), cross-checked against
  - nibs.org FMOC "AC-TABLE" (Tables 1-A/1-B, developed from 105E: normal and tightened Re
    numbers for AQL 0.65-15, codes A-Q),
  - qualitycontrolpartners.com "AQL tables" (ISO 2859-1 Table I and normal plans, AQL 0.065-6.5),
  - the AQL Inspector's Rule manual (aqlrule.com / aqlinspectorsrule.com): worked examples,
    code A at AQL 10, AQLs below 0.065, and the ANSI versus ISO reduced-inspection example.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.quality.sampling import (
    AQL_SERIES,
    DefectClass,
    InspectionLevel,
    SamplingPlan,
    Severity,
    Verdict,
    code_letter,
    normalize_aql,
    plan,
    plans_by_defect_class,
    units_to_draw,
    verdict,
)
from medtrace.quality.switching import SwitchingState

LETTER_ORDER = "ABCDEFGHJKLMNPQRS"

# --- Table I ------------------------------------------------------------------------------------

LOT_RANGES = [
    (2, 8),
    (9, 15),
    (16, 25),
    (26, 50),
    (51, 90),
    (91, 150),
    (151, 280),
    (281, 500),
    (501, 1200),
    (1201, 3200),
    (3201, 10000),
    (10001, 35000),
    (35001, 150000),
    (150001, 500000),
    (500001, 10**9),
]
# One letter per lot range above, top to bottom.
TABLE_I_COLUMNS = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}


@pytest.mark.parametrize("level", TABLE_I_COLUMNS)
def test_code_letter_at_every_lot_size_boundary(level):
    for (low, high), expected in zip(LOT_RANGES, TABLE_I_COLUMNS[level], strict=True):
        assert code_letter(low, level) == expected, (level, low)
        assert code_letter(high, level) == expected, (level, high)


def test_code_letter_defaults_to_level_ii():
    assert code_letter(1000) == "J"
    assert code_letter(500001) == "Q"


def test_level_spellings():
    assert code_letter(1000, InspectionLevel.S3) == code_letter(1000, "s-3") == "E"
    assert code_letter(1000, "S3") == "E"
    assert code_letter(1000, " iii ") == "K"


# --- Tables II-A, II-B, II-C --------------------------------------------------------------------

# (sample size, Ac, Re) of the plan reached after following the arrows, for AQL 0.65, 1.0, 2.5
# and 4.0, by code letter from Table I.
EXPECTED_COLUMNS = ("0.65", "1.0", "2.5", "4.0")
EXPECTED_NORMAL = """
A     20 0 1     13 0 1      5 0 1      3 0 1
B     20 0 1     13 0 1      5 0 1      3 0 1
C     20 0 1     13 0 1      5 0 1      3 0 1
D     20 0 1     13 0 1      5 0 1     13 1 2
E     20 0 1     13 0 1     20 1 2     13 1 2
F     20 0 1     13 0 1     20 1 2     20 2 3
G     20 0 1     50 1 2     32 2 3     32 3 4
H     80 1 2     50 1 2     50 3 4     50 5 6
J     80 1 2     80 2 3     80 5 6     80 7 8
K    125 2 3    125 3 4    125 7 8    125 10 11
L    200 3 4    200 5 6    200 10 11  200 14 15
M    315 5 6    315 7 8    315 14 15  315 21 22
N    500 7 8    500 10 11  500 21 22  315 21 22
P    800 10 11  800 14 15  500 21 22  315 21 22
Q   1250 14 15 1250 21 22  500 21 22  315 21 22
R   2000 21 22 1250 21 22  500 21 22  315 21 22
"""
EXPECTED_TIGHTENED = """
A     32 0 1     20 0 1      8 0 1      5 0 1
B     32 0 1     20 0 1      8 0 1      5 0 1
C     32 0 1     20 0 1      8 0 1      5 0 1
D     32 0 1     20 0 1      8 0 1     20 1 2
E     32 0 1     20 0 1     32 1 2     20 1 2
F     32 0 1     20 0 1     32 1 2     20 1 2
G     32 0 1     80 1 2     32 1 2     32 2 3
H    125 1 2     80 1 2     50 2 3     50 3 4
J    125 1 2     80 1 2     80 3 4     80 5 6
K    125 1 2    125 2 3    125 5 6    125 8 9
L    200 2 3    200 3 4    200 8 9    200 12 13
M    315 3 4    315 5 6    315 12 13  315 18 19
N    500 5 6    500 8 9    500 18 19  315 18 19
P    800 8 9    800 12 13  500 18 19  315 18 19
Q   1250 12 13 1250 18 19  500 18 19  315 18 19
R   2000 18 19 1250 18 19  500 18 19  315 18 19
"""
# MIL-STD-105E / Z1.4 reduced table: Re can exceed Ac + 1.
EXPECTED_REDUCED = """
A      8 0 1      5 0 1      2 0 1      2 0 1
B      8 0 1      5 0 1      2 0 1      2 0 1
C      8 0 1      5 0 1      2 0 1      2 0 1
D      8 0 1      5 0 1      2 0 1      5 0 2
E      8 0 1      5 0 1      8 0 2      5 0 2
F      8 0 1      5 0 1      8 0 2      8 1 3
G      8 0 1     20 0 2     13 1 3     13 1 4
H     32 0 2     20 0 2     20 1 4     20 2 5
J     32 0 2     32 1 3     32 2 5     32 3 6
K     50 1 3     50 1 4     50 3 6     50 5 8
L     80 1 4     80 2 5     80 5 8     80 7 10
M    125 2 5    125 3 6    125 7 10   125 10 13
N    200 3 6    200 5 8    200 10 13  125 10 13
P    315 5 8    315 7 10   200 10 13  125 10 13
Q    500 7 10   500 10 13  200 10 13  125 10 13
R    800 10 13  500 10 13  200 10 13  125 10 13
"""


def _expected_rows(text):
    for line in text.strip().splitlines():
        letter, *numbers = line.split()
        triples = [tuple(int(n) for n in numbers[i : i + 3]) for i in range(0, len(numbers), 3)]
        for aql, triple in zip(EXPECTED_COLUMNS, triples, strict=True):
            yield letter, aql, triple


def _lot_for_letter(letter):
    """A lot size and level whose Table I letter is `letter` (II covers A-Q, III adds R)."""
    for level in ("II", "III"):
        for (low, _high), candidate in zip(LOT_RANGES, TABLE_I_COLUMNS[level], strict=True):
            if candidate == letter:
                return low, level
    raise AssertionError(letter)


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.NORMAL, EXPECTED_NORMAL),
        (Severity.TIGHTENED, EXPECTED_TIGHTENED),
        (Severity.REDUCED, EXPECTED_REDUCED),
    ],
)
def test_plans_match_the_published_tables_for_every_code_letter(severity, expected):
    rows = list(_expected_rows(expected))
    assert {letter for letter, _aql, _triple in rows} == set("ABCDEFGHJKLMNPQR")
    for letter, aql, (sample_size, accept, reject) in rows:
        lot_size, level = _lot_for_letter(letter)
        got = plan(lot_size, aql, level=level, severity=severity)
        assert got.code_letter == letter
        assert (got.table_sample_size, got.accept, got.reject) == (sample_size, accept, reject), (
            severity,
            letter,
            aql,
        )
        assert got.sample_size == min(sample_size, lot_size)


def test_every_cell_of_every_table_leads_to_a_plan():
    for low, high in LOT_RANGES:
        for lot_size in (low, high):
            for level in InspectionLevel:
                for aql in AQL_SERIES:
                    for severity in Severity:
                        got = plan(lot_size, aql, level=level, severity=severity)
                        assert 0 <= got.accept < got.reject


# Worked examples from the AQL Inspector's Rule manual and the brief.


def test_lot_1000_level_ii_aql_1_0_normal():
    got = plan(1000, "1.0")
    assert (got.code_letter, got.plan_letter, got.sample_size) == ("J", "J", 80)
    assert (got.accept, got.reject) == (2, 3)
    assert not got.inspect_all


def test_manual_example_1_lot_1000_aql_1_5():
    got = plan(1000, "1.5", level="II")
    assert (got.code_letter, got.sample_size, got.accept, got.reject) == ("J", 80, 3, 4)


def test_manual_example_2_arrows_lead_from_b_through_c_to_d():
    got = plan(20, "1.5", level="I")
    assert (got.code_letter, got.plan_letter) == ("B", "D")
    assert (got.table_sample_size, got.accept, got.reject) == (8, 0, 1)
    # 8 of a lot of 20: no 100 % inspection
    assert got.sample_size == 8
    assert not got.inspect_all


def test_manual_example_3_reduced_follows_the_ansi_table():
    got = plan(125, "1.0", level="III", severity="reduced")
    assert (got.code_letter, got.plan_letter) == ("G", "H")
    assert (got.sample_size, got.accept, got.reject) == (20, 0, 2)
    assert verdict(got, 0) is Verdict.ACCEPTED
    assert verdict(got, 1) is Verdict.ACCEPTED_REINSTATE_NORMAL
    assert verdict(got, 2) is Verdict.REJECTED


def test_code_a_at_aql_10():
    # Manual note 1: normal and reduced use code letter C, tightened code letter D.
    assert plan(5, 10).plan_letter == "C"
    assert plan(5, 10, severity="reduced").plan_letter == "C"
    assert plan(5, 10, severity="tightened").plan_letter == "D"


def test_aqls_below_0_065_at_the_bottom_of_the_tables():
    over_half_a_million = 600_000
    tightened = plan(over_half_a_million, "0.025", level="II", severity="tightened")  # code Q
    assert (tightened.plan_letter, tightened.sample_size, tightened.accept) == ("S", 3150, 1)
    tightened_r = plan(over_half_a_million, "0.025", level="III", severity="tightened")
    assert (tightened_r.code_letter, tightened_r.plan_letter) == ("R", "S")
    normal = plan(over_half_a_million, "0.015", level="III")
    assert (normal.plan_letter, normal.sample_size, normal.accept, normal.reject) == (
        "P",
        800,
        0,
        1,
    )
    reduced = plan(over_half_a_million, "0.015", level="III", severity="reduced")
    assert (reduced.plan_letter, reduced.sample_size, reduced.accept) == ("P", 315, 0)


def test_sample_larger_than_the_lot_means_inspecting_all_of_it():
    got = plan(10, "0.65")  # code B; the arrow leads to F, n=20
    assert (got.code_letter, got.plan_letter, got.table_sample_size) == ("B", "F", 20)
    assert got.inspect_all
    assert got.sample_size == 10
    assert (got.accept, got.reject) == (0, 1)
    exact = plan(13, "1.0")  # code C -> E, n=13 = the lot
    assert exact.inspect_all
    assert exact.sample_size == 13


# --- AQL input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1.0"),
        (1, "1.0"),
        ("1", "1.0"),
        ("1.00", "1.0"),
        (Decimal("1.000"), "1.0"),
        (" 0.65 ", "0.65"),
        (0.1, "0.10"),
        (0.01, "0.010"),
        (10.0, "10"),
        ("1E+3", "1000"),
    ],
)
def test_aql_inputs_are_normalised_to_the_series(value, expected):
    assert str(normalize_aql(value)) == expected


@pytest.mark.parametrize(
    "value", [0.3, "0.3", "abc", "1%", float("nan"), "Infinity", True, None, 0]
)
def test_aql_outside_the_series_is_refused_with_the_allowed_values(value):
    with pytest.raises(ValueError, match=r"not in the ISO 2859-1 series; allowed: 0\.010, 0\.015"):
        normalize_aql(value)
    with pytest.raises(ValueError, match="1000"):
        plan(1000, value)


# --- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize("lot_size", [1, 0, -5, 2.0, "100", True, None])
def test_lot_size_below_2_or_not_a_whole_number_is_refused(lot_size):
    with pytest.raises(ValueError, match="lot size must be a whole number of at least 2"):
        plan(lot_size, "1.0")
    with pytest.raises(ValueError, match="lot size must be a whole number of at least 2"):
        code_letter(lot_size)


@pytest.mark.parametrize("level", ["IV", "S-5", "", "general", 2])
def test_unknown_inspection_level_is_refused(level):
    with pytest.raises(ValueError, match=r"inspection level .* is unknown; use one of S-1, .*III"):
        plan(1000, "1.0", level=level)


@pytest.mark.parametrize("severity", ["lenient", "", "discontinued", None])
def test_unknown_severity_is_refused(severity):
    with pytest.raises(ValueError, match=r"inspection severity .* is unknown; use one of normal"):
        plan(1000, "1.0", severity=severity)


@pytest.mark.parametrize("count", [-1, 1.0, "2", True, None])
def test_verdict_refuses_a_count_that_is_not_a_whole_number(count):
    with pytest.raises(ValueError, match="must be a whole number of at least 0"):
        verdict(plan(1000, "1.0"), count)


def test_verdict_on_a_plan_without_a_gap():
    got = plan(1000, "1.0")
    assert [verdict(got, d) for d in range(5)] == [
        Verdict.ACCEPTED,
        Verdict.ACCEPTED,
        Verdict.ACCEPTED,
        Verdict.REJECTED,
        Verdict.REJECTED,
    ]
    assert got.verdict(2) is Verdict.ACCEPTED


def test_nonconformities_per_100_items_may_exceed_the_sample_size():
    got = plan(10, "1000")  # code B, n=3, Ac 44 Re 45
    assert (got.sample_size, got.accept, got.reject) == (3, 44, 45)
    assert verdict(got, 44) is Verdict.ACCEPTED
    assert verdict(got, 45) is Verdict.REJECTED


# --- properties ---------------------------------------------------------------------------------

lot_sizes = st.integers(min_value=2, max_value=10**7)
aqls = st.sampled_from(AQL_SERIES)
levels = st.sampled_from(list(InspectionLevel))
severities = st.sampled_from(list(Severity))


@given(lot_sizes, aqls, levels, severities)
def test_every_plan_is_well_formed(lot_size, aql, level, severity):
    got = plan(lot_size, aql, level=level, severity=severity)
    assert got.code_letter == code_letter(lot_size, level)
    assert got.sample_size == min(got.table_sample_size, lot_size) <= lot_size
    assert got.inspect_all == (got.table_sample_size >= lot_size)
    assert 0 <= got.accept < got.reject
    if severity is Severity.REDUCED:
        assert got.reject - got.accept in (1, 2, 3)
    else:
        assert got.reject == got.accept + 1
    assert verdict(got, got.accept) is Verdict.ACCEPTED
    assert verdict(got, got.reject) is Verdict.REJECTED


@given(lot_sizes, lot_sizes, levels)
def test_code_letters_never_go_down_as_lots_grow(first, second, level):
    small, large = sorted((first, second))
    assert LETTER_ORDER.index(code_letter(small, level)) <= LETTER_ORDER.index(
        code_letter(large, level)
    )


@given(lot_sizes)
def test_code_letters_never_go_down_from_s_1_to_iii(lot_size):
    letters = [code_letter(lot_size, level) for level in InspectionLevel]
    assert letters == sorted(letters, key=LETTER_ORDER.index)


@given(lot_sizes, lot_sizes, aqls, levels, severities)
def test_table_sample_size_never_goes_down_as_lots_grow(first, second, aql, level, severity):
    small, large = sorted((first, second))
    assert (
        plan(small, aql, level=level, severity=severity).table_sample_size
        <= plan(large, aql, level=level, severity=severity).table_sample_size
    )


@given(aqls)
def test_an_aql_reads_the_same_as_decimal_text_and_float(aql):
    assert normalize_aql(aql) == normalize_aql(str(aql)) == normalize_aql(float(aql)) == aql


# --- several classes of nonconformity -----------------------------------------------------------


def test_plan_per_defect_class_and_the_units_to_draw():
    plans = plans_by_defect_class(1000, {"critical": "0.065", "major": 1.0, DefectClass.MINOR: 4})
    critical, major, minor = (plans[c] for c in DefectClass)
    assert (critical.plan_letter, critical.sample_size, critical.accept) == ("L", 200, 0)
    assert (major.plan_letter, major.sample_size, major.accept) == ("J", 80, 2)
    assert (minor.plan_letter, minor.sample_size, minor.accept) == ("J", 80, 7)
    assert units_to_draw(plans) == 200


def test_defect_classes_may_be_on_different_severities():
    plans = plans_by_defect_class(
        1000, {"major": "1.0", "minor": "4.0"}, severity={"major": "tightened", "minor": "normal"}
    )
    assert plans[DefectClass.MAJOR].severity is Severity.TIGHTENED
    assert (plans[DefectClass.MAJOR].accept, plans[DefectClass.MINOR].accept) == (1, 7)


@pytest.mark.parametrize(
    ("aqls_by_class", "severity", "message"),
    [
        ({"cosmetic": "1.0"}, "normal", "defect class 'cosmetic' is unknown"),
        ({}, "normal", "at least one defect class"),
        ({"major": "1.0", "minor": "4.0"}, {"major": "normal"}, "one inspection severity for each"),
        ({"major": "0.3"}, "normal", "not in the ISO 2859-1 series"),
    ],
)
def test_defect_class_input_is_checked(aqls_by_class, severity, message):
    with pytest.raises(ValueError, match=message):
        plans_by_defect_class(1000, aqls_by_class, severity=severity)


def test_every_normal_plan_with_ac_2_or_more_has_a_tighter_plan_for_the_score():
    for low, _high in LOT_RANGES:
        for level in InspectionLevel:
            for aql in AQL_SERIES:
                used = plan(low, aql, level=level)
                if used.accept >= 2:
                    assert SwitchingState().after_lot(used, 0, accepted=True).switching_score == 3


def test_plan_is_frozen():
    got = plan(1000, "1.0")
    assert isinstance(got, SamplingPlan)
    with pytest.raises(AttributeError):
        got.accept = 5
