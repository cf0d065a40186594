"""Publishing: an OutboxMessage and its deliveries, written inside the caller's transaction.

Two sources call in: the audit trail, for every audited change of a published record
(medtrace.integration.topics), and the trace recorder, for every recorded event. A message is
written only when some active subscription wants it; then each such subscription gets the
next number of its own sequence, taken under a lock on the subscription row that is held until
the publisher commits, so numbers become visible in order and a feed read by cursor never
skips one.

This runs on every audited write, so the subscriptions are looked up with one raw query
(bench/bench_integration.py)."""

import json
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from medtrace.audit import chain as hashing
from medtrace.audit import services as audit
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery, EpcisQuery, OutboxMessage, Subscription
from medtrace.integration.topics import EPCIS_TOPIC, topic_of_change


class Wanting(NamedTuple):
    """An active subscription as publishing needs it: what it wants, from which sites."""

    pk: int
    topics: list[str]
    is_feed: bool
    query_id: int | None
    sites: dict[int, str]  # site id → code

    def covers(self, site_id: int | None) -> bool:
        # A record of the whole organization (a supplier, an item) reaches every subscription.
        return site_id is None or site_id in self.sites


def publish_change(entry) -> None:
    """Announce an audited change (called by medtrace.audit.services.record)."""
    topic = topic_of_change(entry.object_type, entry.action)
    if topic is None or entry.organization_id is None:
        return
    wanting = [
        subscription
        for subscription in _active(entry.organization_id)
        if subscription.query_id is None
        and topic in subscription.topics
        and subscription.covers(entry.site_id)
    ]
    if not wanting:
        return
    message = OutboxMessage(
        organization_id=entry.organization_id,
        site_id=entry.site_id,
        topic=topic,
        event_type=f"{topic}.{entry.action}",
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        occurred_at=entry.at,
    )
    message.payload = {
        "id": str(message.message_id),
        "type": message.event_type,
        "occurredAt": utc_text(entry.at),
        "site": _site_code(entry.site_id, wanting),
        "object": {
            "type": entry.object_type,
            "id": entry.object_id,
            "display": entry.object_repr,
        },
        "action": entry.action,
        "changes": entry.changes,
        "reason": entry.reason,
        "actor": entry.actor_name,
        "auditEntry": {"sequence": entry.sequence, "hash": entry.entry_hash},
    }
    message.save()
    fan_out({subscription.pk: [message] for subscription in wanting}, wanting)


def publish_trace_events(organization_id: int, events: list) -> None:
    """Announce recorded trace events, each as its EPCIS 2.0 document, to the subscriptions
    of the EPCIS topic and to those whose standing query the event matches."""
    if not events:
        return
    active = _active(organization_id)
    queries = _active_queries({s.query_id for s in active if s.query_id is not None})
    wanting = [s for s in active if EPCIS_TOPIC in s.topics or s.query_id in queries]
    if not wanting:
        return
    matches = {
        subscription.pk: [
            event
            for event in events
            if subscription.covers(event.site_id)
            and (
                subscription.query_id is None
                or event.pk in _matching(queries[subscription.query_id], events)
            )
        ]
        for subscription in wanting
    }
    wanted = {event.pk for listed in matches.values() for event in listed}
    if not wanted:
        return
    # Audited writers lock the chain, then (publishing) the subscriptions: lock in that order.
    audit.hold_chain(organization_id)
    messages = {
        event.pk: _event_message(organization_id, event, wanting)
        for event in events
        if event.pk in wanted
    }
    OutboxMessage.objects.bulk_create(messages.values())
    fan_out(
        {pk: [messages[event.pk] for event in listed] for pk, listed in matches.items()}, wanting
    )


def _event_message(organization_id: int, event, wanting: list[Wanting]) -> OutboxMessage:
    message = OutboxMessage(
        organization_id=organization_id,
        site_id=event.site_id,
        topic=EPCIS_TOPIC,
        event_type=EPCIS_TOPIC,
        object_type="trace.traceevent",
        object_id=event.event_id[:300],
        object_repr=f"{event.event_type} {event.biz_step.rsplit(':', 1)[-1]}".strip()[:200],
        occurred_at=event.event_time,
    )
    message.payload = {
        "id": str(message.message_id),
        "type": EPCIS_TOPIC,
        "occurredAt": utc_text(event.event_time),
        "site": _site_code(event.site_id, wanting),
        "event": event.document,
    }
    return message


def _active_queries(ids: set[int]) -> dict[int, EpcisQuery]:
    if not ids:
        return {}
    return {query.pk: query for query in EpcisQuery.objects.filter(pk__in=ids, is_active=True)}


def _matching(query: EpcisQuery, events) -> set[int]:
    """The recorded events among `events` that the named query selects (its SQL, run over
    just these rows), computed once per query and batch."""
    from medtrace.trace import epcis_query
    from medtrace.trace.models import TraceEvent

    cache = query.__dict__.setdefault("_matched", {})
    key = tuple(sorted(event.pk for event in events))
    if key not in cache:
        candidates = TraceEvent.objects.filter(pk__in=key)
        cache[key] = set(
            epcis_query.filter_events(candidates, query.parameters).values_list("pk", flat=True)
        )
    return cache[key]


def fan_out(messages_by_subscription: dict[int, list], subscriptions) -> None:
    """One delivery per message and subscription (each with `pk` and `is_feed`), numbered in
    the subscription's sequence."""
    counts = {
        subscription.pk: len(messages_by_subscription.get(subscription.pk) or [])
        for subscription in subscriptions
    }
    last = _take_numbers({pk: count for pk, count in counts.items() if count})
    deliveries = []
    for subscription in subscriptions:
        if not counts[subscription.pk]:
            continue
        listed = messages_by_subscription[subscription.pk]
        status = DeliveryStatus.IN_FEED if subscription.is_feed else DeliveryStatus.PENDING
        first = last[subscription.pk] - len(listed) + 1
        deliveries += [
            Delivery(
                subscription_id=subscription.pk,
                message=message,
                sequence=first + i,
                status=status,
            )
            for i, message in enumerate(listed)
        ]
    Delivery.objects.bulk_create(deliveries)


def _take_numbers(counts: dict[int, int]) -> dict[int, int]:
    """Reserve counts[id] numbers of each subscription's sequence, in one statement; returns
    the last number reserved for each. The UPDATE locks the rows (PostgreSQL) or the database
    (SQLite) until the caller commits. UPDATE … FROM and RETURNING need SQLite ≥ 3.35."""
    if not counts:
        return {}
    table = Subscription._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(counts))
    params = [number for pair in sorted(counts.items()) for number in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH wanted(id, n) AS (VALUES {values}) "  # nosec B608 # _meta table; %s only
            f"UPDATE {table} SET last_sequence = {table}.last_sequence + wanted.n FROM wanted "
            f"WHERE {table}.id = wanted.id RETURNING {table}.id, {table}.last_sequence",
            params,
        )
        return dict(cursor.fetchall())


def _active(organization_id: int) -> list[Wanting]:
    """The organization's active subscriptions with their sites, in one query."""
    subscriptions = Subscription._meta.db_table
    through = Subscription.sites.through._meta.db_table
    sites = Subscription.sites.field.related_model._meta.db_table
    sql = (
        f"SELECT s.id, s.topics, s.url, s.query_id, t.id, t.code FROM {subscriptions} s "
        f"JOIN {through} st ON st.subscription_id = s.id JOIN {sites} t ON t.id = st.site_id "
        "WHERE s.organization_id = %s AND s.is_active ORDER BY s.id"  # nosec B608 # _meta tables
    )
    found: dict[int, Wanting] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id])
        for pk, topics, url, query_id, site_id, code in cursor.fetchall():
            if pk not in found:
                topics = json.loads(topics) if isinstance(topics, str) else topics
                found[pk] = Wanting(pk, topics or [], not url, query_id, {})
            found[pk].sites[site_id] = code
    return list(found.values())


def _site_code(site_id: int | None, wanting: list[Wanting]) -> str | None:
    """The site's code, from the sites the wanting subscriptions cover."""
    for subscription in wanting:
        if site_id in subscription.sites:
            return subscription.sites[site_id]
    return None


def utc_text(value: datetime) -> str:
    return hashing.utc_text(value)
