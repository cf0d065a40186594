"""Units shipped per item (and lot) per period: the exposure complaint rates are normalized by.

What counts is what the trace shows sent to a destination party (a shipping event's
consignments, not moves between our own locations): a serialized unit counts 1, a lot its
shipped quantity, and a case or pallet what it held at the time of shipping, nested cases
included, at the quantity packed into it (as the recall scope counts them). An object named
twice by one shipment (a pallet and a case on it) counts once. A return does not take a unit
back out of the exposure: it was in the field.

One statement for the whole window; periods are given as boundaries (aware datetimes), so they
follow the reader's time zone on both databases and no date function differs between them."""

from collections import defaultdict
from datetime import datetime

from django.db import connection

from medtrace.trace.choices import ObjectRole, PartyRole
from medtrace.trace.engine import TABLES
from medtrace.trace.models import EventObject, Lot, TraceEvent

_TABLES = {
    **TABLES,
    "event": TraceEvent._meta.db_table,
    "event_object": EventObject._meta.db_table,
    "lot": Lot._meta.db_table,
    "lot_pk": Lot._meta.pk.column,
}

# {sent}: the consignments to destinations in the window, at the given sites ({filters}).
# `inside`: what each shipped container held at the time, nested contents included.
_SHIPPED = """
    WITH RECURSIVE sent_now(object_id, event_id, event_time, quantity) AS (
        SELECT s.object_id, s.event_id, s.event_time, s.quantity FROM {sent} s
            JOIN {event} e ON e.id = s.event_id
        WHERE s.role = %s AND s.event_time >= %s AND s.event_time < %s {filters}
    ),
    inside(object_id, event_id, event_time, packed_by) AS (
        SELECT c.content_id, s.event_id, s.event_time, c.packed_by_id
        FROM sent_now s JOIN {held} c ON c.container_id = s.object_id
        WHERE c.valid_from <= s.event_time AND (c.valid_to IS NULL OR s.event_time < c.valid_to)
        UNION ALL
        SELECT c.content_id, i.event_id, i.event_time, c.packed_by_id
        FROM inside i JOIN {held} c ON c.container_id = i.object_id
        WHERE c.valid_from <= i.event_time AND (c.valid_to IS NULL OR i.event_time < c.valid_to)
    ),
    shipped(object_id, event_id, event_time, quantity) AS (
        SELECT object_id, event_id, event_time, quantity FROM sent_now
        UNION ALL
        SELECT i.object_id, i.event_id, i.event_time, p.quantity FROM inside i
            LEFT JOIN {event_object} p
                ON p.event_id = i.packed_by AND p.object_id = i.object_id AND p.role = %s
    ),
    once(object_id, event_time, quantity) AS (
        SELECT object_id, MIN(event_time), MAX(quantity) FROM shipped GROUP BY object_id, event_id
    )
    SELECT COALESCE(u.item_id, l.item_id), {lot_column}, {period},
        SUM(CASE WHEN u.{unit_pk} IS NOT NULL THEN 1 ELSE COALESCE(x.quantity, 0) END)
    FROM once x
        LEFT JOIN {unit} u ON u.{unit_pk} = x.object_id
        LEFT JOIN {lot} l ON l.{lot_pk} = x.object_id
    WHERE (u.{unit_pk} IS NOT NULL OR l.{lot_pk} IS NOT NULL) {item_filter}
    GROUP BY 1, 2, 3
"""


def units_shipped(
    boundaries: list[datetime],
    *,
    site_ids,
    item_ids=None,
    by_lot: bool = False,
) -> dict[tuple, float]:
    """Units sent to destinations from `site_ids` between consecutive `boundaries` (period i
    runs from boundaries[i] to boundaries[i + 1]): {(item_id, period): units}, or with
    `by_lot` {(item_id, lot_id, period): units}. Only `item_ids` when given."""
    if len(boundaries) < 2:
        raise ValueError("at least two boundaries make a period")
    site_ids, found = sorted(site_ids), defaultdict(float)
    if not site_ids or (item_ids is not None and not item_ids):
        return {}
    period = "CASE {} END".format(
        " ".join(f"WHEN x.event_time < %s THEN {index}" for index in range(len(boundaries) - 1))
    )
    filters = f"AND e.site_id IN ({', '.join(['%s'] * len(site_ids))})"
    params = [PartyRole.DESTINATION, boundaries[0], boundaries[-1], *site_ids]
    params += [ObjectRole.CHILD, *boundaries[1:]]
    item_filter = ""
    if item_ids is not None:
        item_ids = sorted(item_ids)
        item_filter = f"AND COALESCE(u.item_id, l.item_id) IN ({', '.join(['%s'] * len(item_ids))})"
        params += item_ids
    sql = _SHIPPED.format(
        filters=filters,
        lot_column=f"COALESCE(u.lot_id, l.{_TABLES['lot_pk']})" if by_lot else "NULL",
        period=period,
        item_filter=item_filter,
        **_TABLES,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for item_id, lot_id, index, units in cursor.fetchall():
            key = (item_id, lot_id, index) if by_lot else (item_id, index)
            found[key] += float(units)
    return dict(found)
