"""Lot-level genealogy for many lots at once, each answer kept apart by the lot it started from:
the lots made from a lot (downstream) and the lots a lot was made from (upstream).

It walks the same links as the trace (engine.py) without containers and shipments, and
carries the starting lot along, so one statement answers for hundreds of lots (risk signals
attribute each finding to the lot it came from). The two directions are each other's inverse:
S is upstream of L exactly when L is downstream of S.

Downstream of S: every object reached from S by following links forward (a lot to its units,
an input to what was made from it), reported as lots (a unit as its lot). A lot reached only
as the lot of a reached unit is not walked on: its other units hold nothing of S.
Upstream of L: L and its units, then from each reached object back to what it was made from
and from a unit to its lot, whose own inputs are in every unit of it."""

from collections import defaultdict

from medtrace.trace.choices import LinkKind, ObjectKind
from medtrace.trace.engine import TABLES, walking_cursor

_DOWNSTREAM = """
    WITH RECURSIVE reach(root, id) AS (
        SELECT o.id, o.id FROM {object} o WHERE o.id IN ({marks})
        UNION
        SELECT r.root, l.target_id FROM {link} l JOIN reach r ON l.source_id = r.id
    )
    SELECT DISTINCT r.root, CASE WHEN o.kind = %s THEN u.lot_id ELSE r.id END
    FROM reach r
    JOIN {object} o ON o.id = r.id
    LEFT JOIN {unit} u ON u.{unit_pk} = r.id
    WHERE o.kind IN (%s, %s)
"""

# Up one step along any link backwards: what an object was made from (transformation), and the
# lot of a unit (membership: every unit given a lot is linked to it). One link table, so each
# step is an index lookup on (target, source); a unit table beside it in the recursive step made
# SQLite scan every unit at every step (1.2 s for one lot at 1M units).
_UPSTREAM = """
    WITH RECURSIVE reach(root, id) AS (
        SELECT o.id, o.id FROM {object} o WHERE o.id IN ({marks})
        UNION
        SELECT l.source_id, l.target_id FROM {link} l
        WHERE l.source_id IN ({marks}) AND l.kind = %s
        UNION
        SELECT r.root, l.source_id FROM reach r JOIN {link} l ON l.target_id = r.id
    )
    SELECT DISTINCT r.root, r.id FROM reach r JOIN {object} o ON o.id = r.id WHERE o.kind = %s
"""

# Lots per statement: far below SQLite's 32,766 parameters (the upstream walk names them twice).
BATCH = 5000


def lots_downstream(lot_ids) -> dict[int, set[int]]:
    """For each lot id, the ids of the lots made (in part) from it, itself excluded."""
    found = defaultdict(set)
    for batch in _batches(lot_ids):
        sql = _DOWNSTREAM.format(marks=", ".join(["%s"] * len(batch)), **TABLES)
        params = [*batch, ObjectKind.UNIT, ObjectKind.LOT, ObjectKind.UNIT]
        for root, lot_id in _rows(sql, params):
            if lot_id is not None and lot_id != root:
                found[root].add(lot_id)
    return dict(found)


def lots_upstream(lot_ids) -> dict[int, set[int]]:
    """For each lot id, the ids of the lots it was made from, at any depth, itself excluded."""
    found = defaultdict(set)
    for batch in _batches(lot_ids):
        marks = ", ".join(["%s"] * len(batch))
        sql = _UPSTREAM.format(marks=marks, **TABLES)
        params = [*batch, *batch, LinkKind.MEMBERSHIP, ObjectKind.LOT]
        for root, lot_id in _rows(sql, params):
            if lot_id != root:
                found[root].add(lot_id)
    return dict(found)


def _batches(ids) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[start : start + BATCH] for start in range(0, len(ordered), BATCH)]


def _rows(sql: str, params: list) -> list[tuple]:
    with walking_cursor() as cursor:  # index lookups per reached row, as the trace walks
        cursor.execute(sql, params)
        return cursor.fetchall()
