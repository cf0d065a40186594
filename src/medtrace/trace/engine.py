"""The one trace engine (DESIGN rule 7): forward (where did it go) and backward (where did it
come from) from a lot, unit or container, as recursive CTEs over the derived genealogy and
containment tables, the same SQL on SQLite and PostgreSQL, never a query per node.

Forward from X: every lot other than X holding material from X directly or through
intermediates (including the lot of each serialized unit made from X), every unit made from
X, the containers that held any of them, and every party a shipping event sent X or any of
those to, directly or inside a container that held it at the time of shipping.
Backward from X: every lot X was made from, directly or indirectly (for a unit, its own lot
too), and every source party of the receiving events of those lots (and of X).
A container as X stands for everything it ever held."""

import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from medtrace.trace.choices import LinkKind, ObjectKind, PartyRole
from medtrace.trace.models import (
    Consignment,
    Container,
    Containment,
    GenealogyLink,
    Lot,
    Party,
    TraceEvent,
    TraceObject,
    Unit,
)

FORWARD, BACKWARD = "forward", "backward"


@dataclass
class TraceResult:
    direction: str
    root: TraceObject
    lots: list[Lot] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)  # destinations forward, sources back
    shipments: list[TraceEvent] = field(default_factory=list)  # each with .parties
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # source, target, kind
    as_of: datetime | None = None
    elapsed_ms: float = 0.0

    @property
    def destinations(self) -> list[Party]:
        return self.parties if self.direction == FORWARD else []

    @property
    def sources(self) -> list[Party]:
        return self.parties if self.direction == BACKWARD else []


# The tables of the trace SQL, for str.format.
TABLES = {
    "link": GenealogyLink._meta.db_table,
    "held": Containment._meta.db_table,
    "sent": Consignment._meta.db_table,
    "object": TraceObject._meta.db_table,
    "unit": Unit._meta.db_table,
    "unit_pk": Unit._meta.pk.column,
}


# The later of two interval starts and the earlier of two ends (NULL: still open), in SQL
# that SQLite and PostgreSQL both read.
def _later_start(outer: str) -> str:
    return (
        f"CASE WHEN c.valid_from > {outer}.valid_from THEN c.valid_from ELSE {outer}.valid_from END"
    )


def _earlier_end(outer: str) -> str:
    return f"""CASE WHEN {outer}.valid_to IS NULL THEN c.valid_to
        WHEN c.valid_to IS NULL OR {outer}.valid_to < c.valid_to THEN {outer}.valid_to
        ELSE c.valid_to END"""


# The rows of the closure: r (a reached object: id, lot of a unit, kind) and c (a container
# that held one); str.format fills in the tables.
_CLOSURE_ROWS = """
    SELECT 'r', r.id, u.lot_id, o.kind FROM reach r
        JOIN {object} o ON o.id = r.id
        LEFT JOIN {unit} u ON u.{unit_pk} = r.id
    UNION ALL
    SELECT 'c', h.container_id, NULL, NULL FROM held h
"""


def _reach_sql(
    root_ids: list[int], direction: str, as_of: datetime | None, max_depth: int | None
) -> tuple[str, list]:
    """`reach(id)`: the roots, what a container root ever held (nested contents while their
    own container was inside it), and the genealogy closure of those."""
    near, far = ("source_id", "target_id") if direction == FORWARD else ("target_id", "source_id")
    held_filter = "AND c.valid_from <= %s" if as_of is not None else ""
    as_of_params = [as_of] if as_of is not None else []
    marks = ", ".join(["%s"] * len(root_ids))
    params = [*root_ids, *as_of_params, *as_of_params, *root_ids]
    inside = f"""
        inside(id, valid_from, valid_to) AS (
            SELECT c.content_id, c.valid_from, c.valid_to FROM {{held}} c
            WHERE c.container_id IN ({marks}) {held_filter}
            UNION
            SELECT c.content_id, {_later_start("i")}, {_earlier_end("i")}
            FROM {{held}} c JOIN inside i ON c.container_id = i.id
            WHERE (i.valid_to IS NULL OR c.valid_from < i.valid_to)
              AND (c.valid_to IS NULL OR c.valid_to > i.valid_from) {held_filter}
        ),
        reach_start(id) AS (
            SELECT o.id FROM {{object}} o WHERE o.id IN ({marks}) UNION SELECT id FROM inside
        )
    """  # nosec B608 # code-made SQL; values are %s params
    time_filter = ""
    if as_of is not None:
        time_filter = f"AND (l.kind = '{LinkKind.MEMBERSHIP}' OR l.event_time <= %s)"
        params += as_of_params
    if max_depth is None:
        # Without a depth bound UNION on the id alone keeps each node once (and ends on cycles).
        walk = f"""
            reach(id) AS (
                SELECT id FROM reach_start
                UNION
                SELECT l.{far} FROM {{link}} l JOIN reach r ON l.{near} = r.id
                WHERE 1 = 1 {time_filter}
            )
        """  # nosec B608 # code-made SQL; values are %s params
    else:
        walk = f"""
            reach_depth(id, depth) AS (
                SELECT id, 0 FROM reach_start
                UNION
                SELECT l.{far}, r.depth + 1 FROM {{link}} l JOIN reach_depth r ON l.{near} = r.id
                WHERE r.depth < {int(max_depth)} {time_filter}
            ),
            reach(id) AS (SELECT DISTINCT id FROM reach_depth)
        """  # nosec B608 # code-made SQL and int(max_depth); values are params
    return f"{inside}, {walk}", params


def held_sql(as_of: datetime | None, start: str = "reach") -> tuple[str, list]:
    """`held(object_id, container_id, valid_from, valid_to, packed_by)`: the containers each
    object of `start` (a relation with an `id` column) was in, nested ones included, with the
    interval it was inside all of them and the event that packed it into the innermost."""
    as_of_filter, params = "", []
    if as_of is not None:
        as_of_filter = "AND c.valid_from <= %s"
        params = [as_of, as_of]
    sql = f"""
        held(object_id, container_id, valid_from, valid_to, packed_by) AS (
            SELECT c.content_id, c.container_id, c.valid_from, c.valid_to, c.packed_by_id
            FROM {{held}} c JOIN {start} r ON c.content_id = r.id
            WHERE 1 = 1 {as_of_filter}
            UNION
            SELECT h.object_id, c.container_id, {_later_start("h")}, {_earlier_end("h")},
                h.packed_by
            FROM {{held}} c JOIN held h ON c.content_id = h.container_id
            WHERE (h.valid_to IS NULL OR c.valid_from < h.valid_to)
              AND (c.valid_to IS NULL OR c.valid_to > h.valid_from) {as_of_filter}
        )
    """  # nosec B608 # `start` is a CTE name from our code; values params
    return sql, params


@contextmanager
def walking_cursor():
    """A cursor for statements that walk the closure (on PostgreSQL, in a transaction).

    PostgreSQL cannot estimate the size of a recursive CTE and plans hash joins over whole
    tables for what is, nearly always, a walk from a few rows; index lookups per reached row
    are right for every trace size. The planner is reset straight after, so the rest of the
    caller's transaction plans as usual. SQLite needs no transaction for a read, and its
    transactions are IMMEDIATE: one would take the database's write lock for every trace."""
    postgres = connection.vendor == "postgresql"
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
        try:
            yield cursor
        finally:
            if postgres:
                cursor.execute("RESET enable_hashjoin; RESET enable_mergejoin")


def _query(sql: str, params: list) -> list[tuple]:
    with walking_cursor() as cursor:
        cursor.execute(sql.format(**TABLES), params)
        return cursor.fetchall()


def trace(
    root: TraceObject,
    direction: str = FORWARD,
    *,
    as_of: datetime | None = None,
    max_depth: int | None = None,
) -> TraceResult:
    return _trace(root, direction, as_of, max_depth)


def closure_sql(roots: list[TraceObject], direction: str = FORWARD) -> tuple[str, list]:
    """The `inside` and `reach(id)` CTEs of the traces of all `roots` (the roots included), for a
    caller's own `WITH RECURSIVE` statement, tables not yet filled in (`str.format(**TABLES)`):
    a recall of thousands of lots walks them in one statement and keeps the result in the
    database."""
    return _reach_sql(sorted({root.pk for root in roots}), direction, None, None)


def _reached(rows, direction: str, root_ids: set[int]) -> tuple[set, set, set]:
    reached = {a: (b, c) for tag, a, b, c in rows if tag == "r"}
    unit_ids = {pk for pk, (_lot, kind) in reached.items() if kind == ObjectKind.UNIT} - root_ids
    lot_ids = {pk for pk, (_lot, kind) in reached.items() if kind == ObjectKind.LOT} - root_ids
    if direction == FORWARD:
        # the lot of each unit made from the root holds material from it too
        lot_ids |= {reached[pk][0] for pk in unit_ids if reached[pk][0]} - root_ids
    containers = {a for tag, a, _b, _c in rows if tag == "c"} - root_ids
    return lot_ids, unit_ids, containers


def _trace(
    root: TraceObject, direction: str, as_of: datetime | None, max_depth: int | None
) -> TraceResult:
    started = time.perf_counter()
    rows = _query(*_trace_sql([root.pk], direction, as_of, max_depth))
    reached = {a for tag, a, _b, _c in rows if tag == "r"}
    lot_ids, unit_ids, containers = _reached(rows, direction, {root.pk})
    consignments = {(a, b) for tag, a, b, _c in rows if tag == "s"}
    # A depth bound leaves links to objects beyond it; they are not part of the answer.
    edges = {(a, b, c) for tag, a, b, c in rows if tag == "e" and a in reached and b in reached}

    parties = {
        party.pk: party for party in Party.objects.filter(pk__in={p for p, _e in consignments})
    }
    shipments = list(
        TraceEvent.objects.filter(pk__in={event for _p, event in consignments}).order_by(
            "event_time", "pk"
        )
    )
    for shipment in shipments:
        shipment.parties = sorted(
            (parties[p] for p, event in consignments if event == shipment.pk), key=lambda p: p.pk
        )
    return TraceResult(
        direction=direction,
        root=root,
        lots=_fetch(Lot.objects.select_related("item"), lot_ids),
        units=_fetch(Unit.objects.select_related("item", "lot"), unit_ids),
        containers=_fetch(Container.objects.all(), containers),
        parties=sorted(parties.values(), key=lambda party: party.pk),
        shipments=shipments,
        edges=sorted(edges),
        as_of=as_of,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _trace_sql(
    root_ids: list[int], direction: str, as_of: datetime | None, max_depth: int | None
) -> tuple[str, list]:
    """One statement for the whole trace, so the closure is computed once: rows tagged
    r (reached object: id, lot of a unit, kind), c (a container that held one), s (a
    consignment: party, event) and e (a genealogy link: source, target, kind)."""
    reach, params = _reach_sql(root_ids, direction, as_of, max_depth)
    held, held_params = held_sql(as_of)
    params += held_params
    near = "source_id" if direction == FORWARD else "target_id"
    role = PartyRole.DESTINATION if direction == FORWARD else PartyRole.SOURCE
    sent_before = "AND s.event_time <= %s" if as_of is not None else ""
    as_of_params = [as_of] if as_of is not None else []
    linked_before = ""
    if as_of is not None:
        linked_before = f"WHERE (l.kind = '{LinkKind.MEMBERSHIP}' OR l.event_time <= %s)"
    sql = f"""WITH RECURSIVE {reach}, {held} {_CLOSURE_ROWS}
        UNION ALL
        SELECT 's', s.party_id, s.event_id, NULL FROM reach r
            JOIN {{sent}} s ON s.object_id = r.id
            WHERE s.role = %s {sent_before}
        UNION ALL
        SELECT 's', s.party_id, s.event_id, NULL FROM held h
            JOIN {{sent}} s ON s.object_id = h.container_id
            WHERE s.role = %s {sent_before} AND h.valid_from <= s.event_time
              AND (h.valid_to IS NULL OR s.event_time < h.valid_to)
        UNION ALL
        SELECT 'e', l.source_id, l.target_id, l.kind FROM reach r
            JOIN {{link}} l ON l.{near} = r.id
            {linked_before}
    """  # nosec B608 # code-made SQL; values are %s params
    params += [role, *as_of_params, role, *as_of_params, *as_of_params]
    return sql, params


def _fetch(queryset, ids: set[int]) -> list:
    found = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 900):
        found += queryset.filter(pk__in=ordered[start : start + 900])
    return sorted(found, key=lambda obj: obj.pk)


def trace_forward(root: TraceObject, **options) -> TraceResult:
    return trace(root, FORWARD, **options)


def trace_backward(root: TraceObject, **options) -> TraceResult:
    return trace(root, BACKWARD, **options)
