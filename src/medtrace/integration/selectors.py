"""Reads: the subscriptions a user may see, their deliveries, a feed page; and pruning."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import (
    Delivery,
    DeliveryAttempt,
    EpcisQuery,
    OutboxMessage,
    Subscription,
)
from medtrace.org.access import site_ids_with_perm
from medtrace.org.models import Site

KEPT_DAYS = 30
FEED_PAGE = 100
MAX_FEED_PAGE = 1000
PRUNE_BATCH = 500
# Kept for good whatever their age: they still wait for someone.
UNFINISHED = (
    DeliveryStatus.PENDING,
    DeliveryStatus.SENDING,
    DeliveryStatus.RETRYING,
    DeliveryStatus.DEAD,
)


def visible_subscriptions(user, perm: str = "integration.view_subscription"):
    """The subscriptions of the user's organization all of whose sites the user holds `perm`
    at: a subscription carrying another site's events stays out of sight."""
    allowed = site_ids_with_perm(user, perm)
    if not allowed:
        return Subscription.objects.none()
    others = Site.objects.exclude(pk__in=allowed)
    return (
        Subscription.objects.filter(organization_id=user.organization_id)
        .exclude(sites__in=others)
        .select_related("query")
        .prefetch_related("sites")
    )


def with_counts(subscriptions):
    return subscriptions.annotate(
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
        ),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    )


def visible_queries(user):
    if not site_ids_with_perm(user, "integration.view_epcisquery"):
        return EpcisQuery.objects.none()
    return EpcisQuery.objects.filter(organization_id=user.organization_id)


def deliveries_of(subscription, *, status: str | None = None):
    deliveries = subscription.deliveries.select_related("message").order_by("-sequence")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def status_counts(subscription) -> dict[str, int]:
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = subscription.deliveries.values_list("status").annotate(n=Count("pk"))
    counts.update({status: n for status, n in rows})
    return counts


def feed(subscription, *, after: int = 0, limit: int = FEED_PAGE) -> list[Delivery]:
    """The subscription's messages numbered after `after`, in order: a cursor that never
    skips one (the numbers become visible in order, see medtrace.integration.outbox)."""
    return list(
        subscription.deliveries.filter(sequence__gt=after)
        .select_related("message")
        .order_by("sequence")[:limit]
    )


def prune(*, older_than: timedelta = timedelta(days=KEPT_DAYS), now=None) -> int:
    """Delete messages whose every delivery ended (delivered, or kept in a feed) before the
    cut-off, with their deliveries and attempts. Dead letters and queued ones stay."""
    cut = (now or timezone.now()) - older_than
    doomed = OutboxMessage.objects.filter(created_at__lt=cut).exclude(
        deliveries__status__in=UNFINISHED
    )
    deleted = 0
    while True:
        pks = list(doomed.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH])
        if not pks:
            return deleted
        with transaction.atomic():
            DeliveryAttempt.objects.filter(delivery__message_id__in=pks).delete()
            Delivery.objects.filter(message_id__in=pks).delete()
            deleted += OutboxMessage.objects.filter(pk__in=pks).delete()[0]
