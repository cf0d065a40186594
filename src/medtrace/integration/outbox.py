"""Publishing: an OutboxMessage and its deliveries, written inside the caller's transaction.

Two sources call in: the audit trail, for every audited change of a published record
(medtrace.integration.topics), and the trace recorder, for every recorded event. A message is
written only when some active subscription wants it; then each such subscription gets the
next number of its own sequence, taken under a lock on the subscription row that is held until
the publisher commits, so numbers become visible in order and a feed read by cursor never
skips one."""

from datetime import datetime

from django.db.models import F

from medtrace.audit import chain as hashing
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery, OutboxMessage, Subscription
from medtrace.integration.topics import EPCIS_TOPIC, topic_of_change


def publish_change(entry) -> None:
    """Announce an audited change (called by medtrace.audit.services.record)."""
    topic = topic_of_change(entry.object_type, entry.action)
    if topic is None or entry.organization_id is None:
        return
    wanting = [
        subscription
        for subscription in _active(entry.organization_id).filter(query__isnull=True)
        if topic in subscription.topics and _covers(subscription, entry.site_id)
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
        "site": _site_code(entry.site_id),
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
    wanting = [
        subscription
        for subscription in _active(organization_id).select_related("query")
        if EPCIS_TOPIC in subscription.topics
        or (subscription.query is not None and subscription.query.is_active)
    ]
    if not wanting:
        return
    matches = {
        subscription.pk: [
            event
            for event in events
            if _covers(subscription, event.site_id)
            and (subscription.query is None or event.pk in _matching(subscription.query, events))
        ]
        for subscription in wanting
    }
    wanted = {event.pk for listed in matches.values() for event in listed}
    messages = {
        event.pk: _event_message(organization_id, event) for event in events if event.pk in wanted
    }
    OutboxMessage.objects.bulk_create(messages.values())
    fan_out(
        {pk: [messages[event.pk] for event in listed] for pk, listed in matches.items()}, wanting
    )


def _event_message(organization_id: int, event) -> OutboxMessage:
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
        "site": _site_code(event.site_id),
        "event": event.document,
    }
    return message


def _matching(query, events) -> set[int]:
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


def fan_out(messages_by_subscription: dict[int, list], subscriptions: list) -> None:
    deliveries = []
    for subscription in sorted(subscriptions, key=lambda s: s.pk):
        listed = messages_by_subscription.get(subscription.pk) or []
        if not listed:
            continue
        last = _take_numbers(subscription.pk, len(listed))
        status = DeliveryStatus.IN_FEED if subscription.is_feed else DeliveryStatus.PENDING
        first = last - len(listed) + 1
        deliveries += [
            Delivery(subscription=subscription, message=message, sequence=first + i, status=status)
            for i, message in enumerate(listed)
        ]
    Delivery.objects.bulk_create(deliveries)


def _take_numbers(subscription_id: int, count: int) -> int:
    """Reserve `count` numbers of the subscription's sequence; returns the last one. The UPDATE
    locks the row (PostgreSQL) or the database (SQLite) until the caller commits."""
    rows = Subscription.objects.filter(pk=subscription_id)
    rows.update(last_sequence=F("last_sequence") + count)
    return rows.values_list("last_sequence", flat=True).get()


def _active(organization_id: int):
    return Subscription.objects.filter(
        organization_id=organization_id, is_active=True
    ).prefetch_related("sites")


def _covers(subscription, site_id: int | None) -> bool:
    # A record of the whole organization (a supplier, an item) reaches every subscription.
    return site_id is None or any(site.pk == site_id for site in subscription.sites.all())


def _site_code(site_id: int | None) -> str | None:
    from medtrace.org.models import Site

    if site_id is None:
        return None
    return Site.objects.filter(pk=site_id).values_list("code", flat=True).first()


def utc_text(value: datetime) -> str:
    return hashing.utc_text(value)
