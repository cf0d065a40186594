"""Single sampling by attributes (ISO 2859-1, ANSI/ASQ Z1.4, MIL-STD-105E): the code letter for a
lot, the plan for an AQL, the verdict on a sample (the switching rules between lots are
quality.switching).

Edition followed:
  Tables    MIL-STD-105E (10 May 1989), Table I and single-sampling Tables II-A (normal), II-B
            (tightened) and II-C (reduced); public domain. ANSI/ASQ Z1.4-2003/2008 reprints these
            numbers unchanged; ISO 2859-1:1999 has the same Table 1, 2-A and 2-B but a different
            reduced table. Reduced inspection here is therefore the 105E/Z1.4 table, whose gap
            cells (e.g. Ac 1 Re 3) accept a lot that exceeds Ac without reaching Re but
            reinstate normal inspection (Z1.4 8.3.4 b, 10.1.4). ISO 2859-1:1999 dropped the gaps:
            code G at AQL 1.0 on reduced inspection leads to H, n=20, Ac 0 Re 2 here, but to J,
            n=32, Ac 1 Re 2 in ISO 1999. Plans that must follow the ISO 1999 reduced table need
            that table added as a fourth literal below.
  Switching ISO 2859-1:1999 clause 9 with its switching score for normal -> reduced (the 105E
            rule of 10 accepted lots and Table VIII limit numbers is not used). The score only
            reads the normal table, which is the same in every edition. Reduced -> normal also
            happens on the 105E/Z1.4 gap case above.

AQLs above 10 are nonconformities per 100 items; for them the count may exceed the sample size.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

# As printed in the tables' headings: the trailing zeros are part of the name ("1.0", "0.10").
AQL_SERIES: tuple[Decimal, ...] = tuple(
    map(
        Decimal,
        (
            *("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40"),
            *("0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65"),
            *("100", "150", "250", "400", "650", "1000"),
        ),
    )
)
_AQL_INDEX = {aql: index for index, aql in enumerate(AQL_SERIES)}
_AQL_LIST = ", ".join(str(aql) for aql in AQL_SERIES)

MIN_LOT_SIZE = 2


class InspectionLevel(StrEnum):
    S1 = "S-1"
    S2 = "S-2"
    S3 = "S-3"
    S4 = "S-4"
    I = "I"  # noqa: E741 - the standard's name for general level I
    II = "II"
    III = "III"


class Severity(StrEnum):
    NORMAL = "normal"
    TIGHTENED = "tightened"
    REDUCED = "reduced"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # Only reduced plans with a gap between Ac and Re give this.
    ACCEPTED_REINSTATE_NORMAL = "accepted_reinstate_normal"


class DefectClass(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


# --- Table I: sample size code letters ----------------------------------------------------------
# "500001-" is the open-ended last range.
_TABLE_I = """
lot size         S-1  S-2  S-3  S-4    I   II  III
2-8                A    A    A    A    A    A    B
9-15               A    A    A    A    A    B    C
16-25              A    A    B    B    B    C    D
26-50              A    B    B    C    C    D    E
51-90              B    B    C    C    C    E    F
91-150             B    B    C    D    D    F    G
151-280            B    C    D    E    E    G    H
281-500            B    C    D    E    F    H    J
501-1200           C    C    E    F    G    J    K
1201-3200          C    D    E    G    H    K    L
3201-10000         C    D    F    G    J    L    M
10001-35000        C    D    F    H    K    M    N
35001-150000       D    E    G    J    L    N    P
150001-500000      D    E    G    J    M    P    Q
500001-            D    E    H    K    N    Q    R
"""

# --- Tables II-A, II-B, II-C: single sampling master tables -------------------------------------
# Each table is printed in two halves of 13 AQL columns. A cell is "Ac/Re" or an arrow: use the
# first sampling plan below (↓) or above (↑) it, with that plan's sample size. "." is a cell the
# standard leaves empty (only code S of the tightened table, which is reached through arrows).

_TABLE_II_A = """
code     n 0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5
A        2     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
B        3     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
C        5     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
D        8     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
E       13     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓
F       20     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2
G       32     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3
H       50     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4
J       80     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6
K      125     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8
L      200     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11
M      315     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15
N      500     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22
P      800     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑
Q     1250   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑
R     2000     ↑     ↑   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑

code     n   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
A        2     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31
B        3   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45
C        5     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑
D        8     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑
E       13   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑
F       20   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑
G       32   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑
H       50   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
J       80   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
K      125 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
L      200 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
M      315 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
N      500     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
P      800     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
Q     1250     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
R     2000     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

_TABLE_II_B = """
code     n 0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5
A        2     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
B        3     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
C        5     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
D        8     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
E       13     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓
F       20     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓
G       32     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2
H       50     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3
J       80     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4
K      125     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6
L      200     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9
M      315     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13
N      500     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19
P      800     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑
Q     1250     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑
R     2000   0/1     ↑     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑
S     3150     .     .   1/2     .     .     .     .     .     .     .     .     .     .

code     n   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
A        2     ↓     ↓     ↓     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28
B        3     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42
C        5   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑
D        8     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑     ↑
E       13     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑     ↑     ↑
F       20   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑
G       32   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑
H       50   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
J       80   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
K      125   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
L      200 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
M      315 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
N      500     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
P      800     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
Q     1250     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
R     2000     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
S     3150     .     .     .     .     .     .     .     .     .     .     .     .     .
"""

_TABLE_II_C = """
code     n 0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5
A        2     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
B        2     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
C        2     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
D        3     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
E        5     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓
F        8     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2
G       13     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3
H       20     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4
J       32     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5
K       50     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6
L       80     ↓     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8
M      125     ↓     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10
N      200     ↓     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13
P      315     ↓   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ↑
Q      500   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ↑     ↑
R      800     ↑     ↑   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ↑     ↑     ↑

code     n   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
A        2     ↓   0/1     ↓     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17
B        2   0/1     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24
C        2     ↑     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ↑
D        3     ↓   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ↑     ↑
E        5   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ↑     ↑     ↑
F        8   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑
G       13   1/4   2/5   3/6   5/8  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑
H       20   2/5   3/6   5/8  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
J       32   3/6   5/8  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
K       50   5/8  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
L       80  7/10 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
M      125 10/13     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
N      200     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
P      315     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
Q      500     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
R      800     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

_DOWN = "↓"
_UP = "↑"
_EMPTY = "."
_ARROW_STEP = {_DOWN: 1, _UP: -1}


@dataclass(frozen=True, slots=True)
class _MasterTable:
    letters: tuple[str, ...]
    sample_sizes: dict[str, int]
    cells: dict[str, tuple[str, ...]]  # letter -> one cell per AQL_SERIES column


def _parse_table_i(text: str) -> tuple[tuple[int, ...], dict[InspectionLevel, tuple[str, ...]]]:
    header, *rows = text.strip().splitlines()
    levels = [InspectionLevel(name) for name in header.split()[2:]]
    lower_bounds: list[int] = []
    letters: dict[InspectionLevel, list[str]] = {level: [] for level in levels}
    next_low = MIN_LOT_SIZE
    for row in rows:
        lot_range, *row_letters = row.split()
        low, high = lot_range.split("-")
        if int(low) != next_low:
            raise AssertionError(f"Table I: lot-size ranges are not contiguous at {lot_range}")
        lower_bounds.append(int(low))
        next_low = int(high) + 1 if high else 0
        for level, letter in zip(levels, row_letters, strict=True):
            letters[level].append(letter)
    if next_low:
        raise AssertionError("Table I must end with an open range ('and over')")
    return tuple(lower_bounds), {level: tuple(column) for level, column in letters.items()}


def _parse_master_table(text: str) -> _MasterTable:
    columns: list[Decimal] = []
    sample_sizes: dict[str, int] = {}
    cells_by_aql: dict[str, dict[Decimal, str]] = {}
    for line in text.strip().splitlines():
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0] == "code":
            columns = [Decimal(token) for token in tokens[2:]]
            continue
        letter, size, *cells = tokens
        if sample_sizes.setdefault(letter, int(size)) != int(size):
            raise AssertionError(f"code {letter} has two sample sizes")
        row = cells_by_aql.setdefault(letter, {})
        for aql, cell in zip(columns, cells, strict=True):
            row[aql] = cell
    cells: dict[str, tuple[str, ...]] = {}
    for letter, row in cells_by_aql.items():
        if sorted(row) != list(AQL_SERIES):
            raise AssertionError(f"code {letter} does not cover the AQL series")
        cells[letter] = tuple(row[aql] for aql in AQL_SERIES)
    return _MasterTable(tuple(cells), sample_sizes, cells)


_LOT_LOWER_BOUNDS, _CODE_LETTERS = _parse_table_i(_TABLE_I)
_MASTER_TABLES: dict[Severity, _MasterTable] = {
    Severity.NORMAL: _parse_master_table(_TABLE_II_A),
    Severity.TIGHTENED: _parse_master_table(_TABLE_II_B),
    Severity.REDUCED: _parse_master_table(_TABLE_II_C),
}


# --- input normalisation ------------------------------------------------------------------------


def normalize_aql(value: Decimal | str | float | int) -> Decimal:
    """The member of the AQL series equal to `value`: 1, "1.00" and 1.0 all give Decimal("1.0")."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, float):
            # repr-based, so 0.1 means 0.10 and not 0.1000000000000000055...
            number = Decimal(repr(value))
        elif isinstance(value, Decimal | int):
            number = Decimal(value)
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise TypeError
        if not number.is_finite():
            raise TypeError
        return AQL_SERIES[_AQL_INDEX[number]]
    except (InvalidOperation, TypeError, KeyError):
        raise ValueError(
            f"AQL {value!r} is not in the ISO 2859-1 series; allowed: {_AQL_LIST}"
        ) from None


def _inspection_level(value: InspectionLevel | str) -> InspectionLevel:
    text = value.strip().upper() if isinstance(value, str) else value
    if isinstance(text, str) and len(text) == 2 and text[0] == "S" and text[1].isdigit():
        text = f"S-{text[1]}"  # "S1" is a common spelling of S-1
    try:
        return InspectionLevel(text)
    except ValueError:
        allowed = ", ".join(level.value for level in InspectionLevel)
        raise ValueError(f"inspection level {value!r} is unknown; use one of {allowed}") from None


def _severity(value: Severity | str) -> Severity:
    try:
        return Severity(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        allowed = ", ".join(severity.value for severity in Severity)
        raise ValueError(
            f"inspection severity {value!r} is unknown; use one of {allowed}"
        ) from None


def _lot_size(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_LOT_SIZE:
        raise ValueError(
            f"lot size must be a whole number of at least {MIN_LOT_SIZE} "
            f"(Table I starts at lots of 2); got {value!r}"
        )
    return value


def _count(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"the number of nonconforming items (or nonconformities) must be a whole number of "
            f"at least 0; got {value!r}"
        )
    return value


# --- plans --------------------------------------------------------------------------------------


def code_letter(lot_size: int, level: InspectionLevel | str = InspectionLevel.II) -> str:
    """Table I: the sample size code letter for a lot."""
    row = bisect.bisect_right(_LOT_LOWER_BOUNDS, _lot_size(lot_size)) - 1
    return _CODE_LETTERS[_inspection_level(level)][row]


@dataclass(frozen=True, slots=True)
class SamplingPlan:
    """A single sampling plan for one lot.

    `code_letter` is Table I's letter for the lot; `plan_letter` is the row the master table's
    arrows lead to, and `table_sample_size` that row's sample size. When the table asks for at
    least the whole lot, `inspect_all` is set and `sample_size` is the lot size; the acceptance
    and rejection numbers stay the plan's (the standard only says to inspect 100 %, and keeping
    the plan's criterion judges the lot as strictly as the table meant it to be).
    """

    lot_size: int
    aql: Decimal
    level: InspectionLevel
    severity: Severity
    code_letter: str
    plan_letter: str
    table_sample_size: int
    sample_size: int
    accept: int
    reject: int
    inspect_all: bool

    def verdict(self, defectives: int) -> Verdict:
        return verdict(self, defectives)


def _split_cell(cell: str) -> tuple[int, int]:
    accept, reject = cell.split("/")
    return int(accept), int(reject)


def _resolve(severity: Severity, letter: str, aql: Decimal) -> tuple[str, int, int]:
    """Follow the arrows from (letter, aql) to the first plan below or above."""
    table = _MASTER_TABLES[severity]
    column = _AQL_INDEX[aql]
    row = table.letters.index(letter)
    direction = 0
    while True:
        cell = table.cells[table.letters[row]][column]
        step = _ARROW_STEP.get(cell, 0)
        if step == 0:
            break
        if direction and step != direction:
            raise AssertionError(f"{severity} table: arrows meet at {table.letters[row]}, {aql}")
        direction = step
        row += step
        if not 0 <= row < len(table.letters):
            raise AssertionError(f"{severity} table: an arrow at {letter}, {aql} leads nowhere")
    if cell == _EMPTY:
        raise AssertionError(f"{severity} table: {letter}, {aql} leads to an empty cell")
    accept, reject = _split_cell(cell)
    return table.letters[row], accept, reject


def plan(
    lot_size: int,
    aql: Decimal | str | float | int,
    *,
    level: InspectionLevel | str = InspectionLevel.II,
    severity: Severity | str = Severity.NORMAL,
) -> SamplingPlan:
    """The single sampling plan for a lot at an AQL, inspection level and severity."""
    lot_size = _lot_size(lot_size)
    aql = normalize_aql(aql)
    level = _inspection_level(level)
    severity = _severity(severity)
    letter = code_letter(lot_size, level)
    plan_letter, accept, reject = _resolve(severity, letter, aql)
    table_sample_size = _MASTER_TABLES[severity].sample_sizes[plan_letter]
    return SamplingPlan(
        lot_size=lot_size,
        aql=aql,
        level=level,
        severity=severity,
        code_letter=letter,
        plan_letter=plan_letter,
        table_sample_size=table_sample_size,
        sample_size=min(table_sample_size, lot_size),
        accept=accept,
        reject=reject,
        inspect_all=table_sample_size >= lot_size,
    )


def verdict(plan: SamplingPlan, defectives: int) -> Verdict:
    """Judge a lot on the count of nonconforming items (or nonconformities) in its sample."""
    defectives = _count(defectives)
    if defectives <= plan.accept:
        return Verdict.ACCEPTED
    if defectives >= plan.reject:
        return Verdict.REJECTED
    return Verdict.ACCEPTED_REINSTATE_NORMAL


# --- several classes of nonconformity -----------------------------------------------------------


def plans_by_defect_class(
    lot_size: int,
    aqls: Mapping[DefectClass | str, Decimal | str | float | int],
    *,
    level: InspectionLevel | str = InspectionLevel.II,
    severity: Severity | str | Mapping[DefectClass | str, Severity | str] = Severity.NORMAL,
) -> dict[DefectClass, SamplingPlan]:
    """One plan per class of nonconformity; `severity` may differ per class, since the switching
    rules run for each class on its own (ISO 2859-1 clause 9).

    Arrows can give the classes different sample sizes. Draw `units_to_draw(plans)` units at
    random, inspect them in the order drawn, and judge each class on its own plan over the first
    `plan.sample_size` of them: each class then sees a random sample of its plan's size. The
    standard also allows, when the responsible authority designates or approves it, using the
    code letter of the largest sample for every class (MIL-STD-105E / Z1.4, "Obtaining sampling
    plan"); that alternative is not built here because a class can meet an arrow at that letter.
    """
    classes: dict[DefectClass, Decimal | str | float | int] = {}
    for key, aql in aqls.items():
        classes[_defect_class(key)] = aql
    if not classes:
        raise ValueError("give an AQL for at least one defect class")
    if isinstance(severity, Mapping):
        severities = {_defect_class(key): value for key, value in severity.items()}
        if set(severities) != set(classes):
            raise ValueError("give one inspection severity for each defect class with an AQL")
    else:
        severities = dict.fromkeys(classes, severity)
    return {
        defect_class: plan(lot_size, aql, level=level, severity=severities[defect_class])
        for defect_class, aql in classes.items()
    }


def _defect_class(value: DefectClass | str) -> DefectClass:
    try:
        return DefectClass(value)
    except ValueError:
        allowed = ", ".join(member.value for member in DefectClass)
        raise ValueError(f"defect class {value!r} is unknown; use one of {allowed}") from None


def units_to_draw(plans: Mapping[DefectClass, SamplingPlan]) -> int:
    return max(each.sample_size for each in plans.values())


def tighter_acceptance_number(plan: SamplingPlan) -> int:
    """The acceptance number of the same sample one AQL step tighter (the switching score's
    test, ISO 2859-1 9.3.3)."""
    # "Would have been accepted if the AQL had been one step tighter": same sample, the normal
    # table's next AQL to the left, which is a plan for every cell with Ac >= 2.
    cells = _MASTER_TABLES[Severity.NORMAL].cells[plan.plan_letter]
    accept, _reject = _split_cell(cells[_AQL_INDEX[plan.aql] - 1])
    return accept
