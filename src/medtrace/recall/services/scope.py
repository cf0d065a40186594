"""A recall's scope: the trace engine's forward trace from the roots (a lot, a unit, our lots of
a supplier's lot), broken down by where each affected lot or unit is: in our stock (per site
and location; a production line is work in progress) and at each consignee a shipment sent it
to, directly or inside a case or pallet (its contents at the time of shipping). A unit back in
our stock (returned) is where it is now, not at the consignee it came back from.

Each computation is frozen as a numbered snapshot with its time, its roots and the difference
from the snapshot before.

The computation runs in the database: the affected lots and units go into a temporary table
straight from the trace engine's closure, and the entries are written from it by INSERT …
SELECT, so a recall of a hundred thousand units never brings them into Python one by one
(docs/decisions/0014)."""

import time

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from medtrace.catalog.models import Item
from medtrace.inventory.models import Stock
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location
from medtrace.recall.choices import Place
from medtrace.recall.models import Recall, ScopeEntry, ScopeSnapshot
from medtrace.trace import engine
from medtrace.trace.choices import ObjectKind, ObjectRole, PartyRole
from medtrace.trace.models import EventObject, Lot, TraceObject

AFFECTED = "recall_affected"  # a temporary table: the ids of the affected lots and units

TABLES = engine.TABLES | {
    "affected": AFFECTED,
    "entry": ScopeEntry._meta.db_table,
    "stock": Stock._meta.db_table,
    "location": Location._meta.db_table,
    "lot": Lot._meta.db_table,
    "lot_pk": Lot._meta.pk.column,
    "item": Item._meta.db_table,
    "event_object": EventObject._meta.db_table,
}

ENTRY_COLUMNS = """scope_id, object_id, item_id, lot_id, serial, place, location_id, party_id,
    shipment_id, quantity, uom"""

# The item, lot and serial of an affected object (a lot, or a unit `u` and its lot) whose id is
# `{of}`: `l` is the lot itself or the unit's.
OBJECT_JOINS = """
    LEFT JOIN {{unit}} u ON u.{{unit_pk}} = {of}
    LEFT JOIN {{lot}} l ON l.{{lot_pk}} = COALESCE(u.lot_id, {of})
    JOIN {{item}} i ON i.id = COALESCE(u.item_id, l.item_id)
"""
OBJECT_COLUMNS = "i.id, l.{lot_pk}, COALESCE(u.serial, '')"

# The affected lots and units: what the closure reaches (the roots included) and, forward, the
# lot of each unit reached, which holds material from the roots too.
FILL_AFFECTED = """
    INSERT INTO {affected} (id)
    SELECT r.id FROM reach r JOIN {object} o ON o.id = r.id WHERE o.kind IN (%s, %s)
    UNION
    SELECT u.lot_id FROM reach r JOIN {unit} u ON u.{unit_pk} = r.id WHERE u.lot_id IS NOT NULL
"""

# Our stock of them: a production line is work in progress.
WRITE_STOCK = f"""
    INSERT INTO {{entry}} ({ENTRY_COLUMNS})
    SELECT %s, s.object_id, {OBJECT_COLUMNS}, CASE WHEN loc.kind = %s THEN %s ELSE %s END,
        s.location_id, NULL, NULL, s.quantity, s.uom
    FROM {{stock}} s JOIN {{affected}} a ON a.id = s.object_id
        JOIN {{location}} loc ON loc.id = s.location_id
        {OBJECT_JOINS.format(of="a.id")}
    WHERE s.quantity > 0
    ORDER BY loc.path, s.object_id
"""  # nosec B608 # constants and _meta table names only

# Each consignee a shipping event sent them to, directly or inside a case or pallet that held
# them at the time (a lot's quantity then is what was packed). Once per object, consignee and
# shipment; a unit in our stock again (returned) is where it is now, not at the consignee.
# Written in the order a notice lists them: by consignee, item, lot and serial (a lot before
# its units, on either database).
WRITE_CONSIGNEES = f"""
    WITH RECURSIVE {{held_cte}},
    shipped(object_id, party_id, event_id, event_time, quantity, uom) AS (
        SELECT s.object_id, s.party_id, s.event_id, s.event_time, s.quantity, ''
        FROM {{sent}} s JOIN {{affected}} a ON a.id = s.object_id
        WHERE s.role = %s
        UNION ALL
        SELECT h.object_id, s.party_id, s.event_id, s.event_time, p.quantity, p.uom
        FROM held h JOIN {{sent}} s ON s.object_id = h.container_id
            LEFT JOIN {{event_object}} p
                ON p.event_id = h.packed_by AND p.object_id = h.object_id AND p.role = %s
        WHERE s.role = %s AND h.valid_from <= s.event_time
            AND (h.valid_to IS NULL OR s.event_time < h.valid_to)
    )
    INSERT INTO {{entry}} ({ENTRY_COLUMNS})
    SELECT %s, x.object_id, {OBJECT_COLUMNS}, %s, NULL, x.party_id, x.event_id,
        CASE WHEN u.{{unit_pk}} IS NULL THEN MAX(x.quantity) ELSE 1 END,
        CASE WHEN u.{{unit_pk}} IS NULL THEN COALESCE(NULLIF(MAX(x.uom), ''), i.unit)
            ELSE i.unit END
    FROM shipped x {OBJECT_JOINS.format(of="x.object_id")}
    WHERE u.{{unit_pk}} IS NULL OR NOT EXISTS (
        SELECT 1 FROM {{stock}} st WHERE st.object_id = x.object_id AND st.quantity > 0
    )
    GROUP BY x.object_id, x.party_id, x.event_id, i.id, i.code, i.unit, l.{{lot_pk}},
        l.lot_number, u.{{unit_pk}}, u.serial
    ORDER BY x.party_id, i.code, COALESCE(l.lot_number, ''), COALESCE(u.serial, ''),
        MIN(x.event_time), x.object_id
"""  # nosec B608 # constants and _meta table names only

AFFECTED_OBJECTS = "SELECT o.identifier, o.kind FROM {affected} a JOIN {object} o ON o.id = a.id"


def _write_entries(cursor, snapshot: ScopeSnapshot, roots: list[TraceObject]) -> list[tuple]:
    """Write the snapshot's entries; the affected objects' (identifier, kind)."""
    integer = "bigint" if connection.vendor == "postgresql" else "integer"
    cursor.execute(f"DROP TABLE IF EXISTS {AFFECTED}")
    cursor.execute(f"CREATE TEMPORARY TABLE {AFFECTED} (id {integer} PRIMARY KEY)")
    closure, params = engine.closure_sql(roots)
    cursor.execute(
        f"WITH RECURSIVE {closure} {FILL_AFFECTED}".format(**TABLES),
        [*params, ObjectKind.LOT, ObjectKind.UNIT],
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {AFFECTED}")
    cursor.execute(
        WRITE_STOCK.format(**TABLES), [snapshot.pk, LocationKind.PRODUCTION, Place.WIP, Place.STOCK]
    )
    held, held_params = engine.held_sql(None, start=AFFECTED)
    cursor.execute(
        WRITE_CONSIGNEES.format(**TABLES, held_cte=held.format(**TABLES)),
        [*held_params, PartyRole.DESTINATION, ObjectRole.CHILD, PartyRole.DESTINATION,
         snapshot.pk, Place.CONSIGNEE],
    )  # fmt: skip
    cursor.execute(AFFECTED_OBJECTS.format(**TABLES))
    objects = cursor.fetchall()
    cursor.execute(f"DROP TABLE {AFFECTED}")
    return objects


def _summary(snapshot: ScopeSnapshot, objects: list[tuple]) -> dict:
    places = list(
        ScopeEntry.objects.filter(scope=snapshot)
        .order_by()
        .values("place")
        .annotate(entries=Count("pk"), parties=Count("party", distinct=True))
    )
    return {
        "objects": sorted(identifier for identifier, _kind in objects),
        "lots": sum(1 for _identifier, kind in objects if kind == ObjectKind.LOT),
        "units": sum(1 for _identifier, kind in objects if kind == ObjectKind.UNIT),
        "consignees": sum(row["parties"] for row in places if row["place"] == Place.CONSIGNEE),
        "places": {row["place"]: row["entries"] for row in places},
    }


@transaction.atomic
def freeze(recall: Recall, roots: list[TraceObject], *, by, reason: str = "") -> ScopeSnapshot:
    """Compute the scope from `roots` and keep it as the recall's next snapshot."""
    started = time.perf_counter()
    before = recall.current_scope()
    snapshot = ScopeSnapshot.objects.create(
        recall=recall,
        version=(before.version + 1) if before else 1,
        computed_at=timezone.now(),
        computed_by=by,
        reason=reason.strip(),
        roots=sorted(root.identifier for root in roots),
    )
    with engine.walking_cursor() as cursor:
        objects = _write_entries(cursor, snapshot, roots)
    snapshot.summary = _summary(snapshot, objects)
    if before is not None:
        old, new = set(before.summary.get("objects", [])), set(snapshot.summary["objects"])
        snapshot.diff = {"added": sorted(new - old), "removed": sorted(old - new)}
    snapshot.computed_at = timezone.now()
    snapshot.elapsed_ms = round((time.perf_counter() - started) * 1000)
    snapshot.save(update_fields=["summary", "diff", "computed_at", "elapsed_ms"])
    return snapshot
