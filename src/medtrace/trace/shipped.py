"""Units shipped per shipping event, item and lot: the exposure complaint rates are normalized by.

What counts is what the trace shows sent to a destination party (a shipping event's
consignments, not moves between our own locations): a serialized unit counts 1, a lot its
shipped quantity, and a case or pallet what it held at the time of shipping, nested cases
included, at the quantity packed into it (as the recall scope counts them). An object named
twice by one shipment (a pallet and a case on it) counts once. A return does not take a unit
back out of the exposure: it was in the field.

One statement over the whole trace, per shipping event and lot; analytics.exposure counts it
per day into the table the pages read."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

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

# {sent_now}: the organization's consignments to destinations. `inside`: what each shipped
# container held at the time, nested contents included.
_SHIPPED = """
    WITH RECURSIVE sent_now(object_id, event_id, event_time, quantity) AS (
        SELECT s.object_id, s.event_id, s.event_time, s.quantity FROM {sent} s
        WHERE s.organization_id = %s AND s.role = %s
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
    shipped(object_id, event_id, quantity) AS (
        SELECT object_id, event_id, quantity FROM sent_now
        UNION ALL
        SELECT i.object_id, i.event_id, p.quantity FROM inside i
            LEFT JOIN {event_object} p
                ON p.event_id = i.packed_by AND p.object_id = i.object_id AND p.role = %s
    ),
    once(object_id, event_id, quantity) AS (
        SELECT object_id, event_id, MAX(quantity) FROM shipped GROUP BY object_id, event_id
    )
    SELECT e.site_id, COALESCE(u.item_id, l.item_id), COALESCE(u.lot_id, l.{lot_pk}),
        MIN(e.event_time),
        SUM(CASE WHEN u.{unit_pk} IS NOT NULL THEN 1 ELSE COALESCE(x.quantity, 0) END)
    FROM once x
        JOIN {event} e ON e.id = x.event_id
        LEFT JOIN {unit} u ON u.{unit_pk} = x.object_id
        LEFT JOIN {lot} l ON l.{lot_pk} = x.object_id
    WHERE u.{unit_pk} IS NOT NULL OR l.{lot_pk} IS NOT NULL
    GROUP BY e.site_id, COALESCE(u.item_id, l.item_id), COALESCE(u.lot_id, l.{lot_pk}), x.event_id
"""


@dataclass(frozen=True)
class Shipped:
    site_id: int | None
    item_id: int
    lot_id: int | None  # a unit without a lot has none
    event_time: datetime
    quantity: float


def shipments(organization_id: int) -> list[Shipped]:
    """What each of the organization's shipping events sent, per lot (units of a lot counted
    together): one statement over the whole trace."""
    sql = _SHIPPED.format(**_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, PartyRole.DESTINATION, ObjectRole.CHILD])
        rows = cursor.fetchall()
    return [
        Shipped(site_id, item_id, lot_id, _aware(event_time), float(quantity))
        for site_id, item_id, lot_id, event_time, quantity in rows
    ]


def _aware(value) -> datetime:
    """MIN() over a timestamp comes back naive (in UTC) or as text from SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
