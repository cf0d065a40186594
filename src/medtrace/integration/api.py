"""Subscriptions over the REST API (mounted at /api/v1/integration): manage webhooks and feeds,
read their deliveries and attempts, send one again, and read a feed by cursor."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, error_responses, require_perm
from medtrace.integration import selectors, services
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery, Subscription
from medtrace.integration.topics import all_topics
from medtrace.org.models import Site

router = Router(tags=["integration"])


class TopicOut(Schema):
    code: str
    label: str
    group: str


class SubscriptionIn(Schema):
    name: str
    url: str = Field(
        "", description="Where deliveries are POSTed; empty for a feed read by cursor."
    )
    topics: list[str] = Field(default_factory=list, description="Codes from GET /topics.")
    sites: list[str] = Field(description="Codes of the sites whose events are sent.")
    query: str | None = Field(None, description="An EPCIS named query: its matching events only.")


class SubscriptionChangeIn(Schema):
    name: str
    url: str = ""
    topics: list[str] = Field(default_factory=list)
    sites: list[str]


class SubscriptionOut(Schema):
    id: int
    subscription_id: UUID = Field(alias="public_id")
    name: str
    url: str
    is_feed: bool
    topics: list[str]
    query: str | None
    sites: list[str]
    is_active: bool
    secret_hint: str
    last_sequence: int
    last_delivered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_query(subscription: Subscription) -> str | None:
        return subscription.query.name if subscription.query_id else None

    @staticmethod
    def resolve_sites(subscription: Subscription) -> list[str]:
        return sorted(site.code for site in subscription.sites.all())


class SubscriptionSecretOut(SubscriptionOut):
    secret: str = Field(description="Shown here only: when created and when rotated.")


class ActivityIn(Schema):
    reason: str = ""


class AttemptOut(Schema):
    number: int
    worker: str
    started_at: datetime
    finished_at: datetime | None
    status_code: int | None
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    sequence: int
    message_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime

    @staticmethod
    def resolve_message_id(delivery: Delivery) -> UUID:
        return delivery.message.message_id

    @staticmethod
    def resolve_event_type(delivery: Delivery) -> str:
        return delivery.message.event_type


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_payload(delivery: Delivery) -> dict:
        return delivery.message.payload

    @staticmethod
    def resolve_attempt_log(delivery: Delivery) -> list:
        return list(delivery.attempts_made.order_by("number"))


class FeedItemOut(Schema):
    sequence: int
    message_id: UUID
    event_type: str
    body: dict[str, Any]


class FeedQuery(Schema):
    after: int = Field(0, ge=0, description="The last sequence number you have read.")
    limit: int = Field(selectors.FEED_PAGE, ge=1, le=selectors.MAX_FEED_PAGE)


class FeedOut(Schema):
    subscription_id: UUID
    items: list[FeedItemOut]
    next_after: int = Field(description="Pass as ?after= to read on; the same when nothing is new.")


def _subscription(request, subscription_id: int, perm="integration.view_subscription"):
    found = selectors.visible_subscriptions(request.user, perm).filter(pk=subscription_id).first()
    if found is None:
        raise Http404
    return found


def _delivery(subscription, sequence: int) -> Delivery:
    found = subscription.deliveries.select_related("message").filter(sequence=sequence).first()
    if found is None:
        raise Http404
    return found


def _sites(request, codes: list[str]) -> list[Site]:
    wanted = {code.strip().upper() for code in codes if code.strip()}
    sites = list(Site.objects.filter(organization_id=request.user.organization_id, code__in=wanted))
    missing = wanted - {site.code for site in sites}
    if missing:
        raise Http404
    return sites


@router.get("/topics", response=list[TopicOut])
def topics(request):
    """What a subscription can subscribe to: each published record type, and EPCIS events."""
    require_perm(request, "integration.view_subscription")
    return all_topics()


@router.get("/subscriptions", response=list[SubscriptionOut])
@paginate(Pages)
def list_subscriptions(request, active: bool | None = None):
    """Webhooks and feeds of the caller's sites."""
    require_perm(request, "integration.view_subscription")
    subscriptions = selectors.visible_subscriptions(request.user)
    if active is not None:
        subscriptions = subscriptions.filter(is_active=active)
    return subscriptions


@router.post("/subscriptions", response={201: SubscriptionSecretOut, **WRITE_ERRORS})
def create_subscription(request, body: SubscriptionIn):
    """A webhook (with `url`) or a feed (without). The answer holds the signing secret; it is
    not shown again."""
    require_perm(request, "integration.add_subscription")
    query = None
    if body.query:
        query = selectors.visible_queries(request.user).filter(name=body.query, is_active=True)
        query = query.first()
        if query is None:
            raise Http404
    subscription = services.create_subscription(
        organization=request.user.organization,
        name=body.name,
        url=body.url,
        topics=body.topics,
        sites=_sites(request, body.sites),
        query=query,
        by=request.user,
    )
    return Status(201, subscription)


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **READ_ERRORS})
def get_subscription(request, subscription_id: int):
    require_perm(request, "integration.view_subscription")
    return _subscription(request, subscription_id)


@router.put("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **WRITE_ERRORS})
def change_subscription(request, subscription_id: int, body: SubscriptionChangeIn):
    """Change the name, address, events and sites (the query of an EPCIS one stays)."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return services.change_subscription(
        subscription,
        name=body.name,
        url=body.url,
        topics=body.topics,
        sites=_sites(request, body.sites),
        by=request.user,
    )


@router.post(
    "/subscriptions/{subscription_id}/deactivate", response={200: SubscriptionOut, **WRITE_ERRORS}
)
def deactivate(request, subscription_id: int, body: ActivityIn):
    """Stop queuing and sending; what is queued waits."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return services.set_active(subscription, active=False, by=request.user, reason=body.reason)


@router.post(
    "/subscriptions/{subscription_id}/activate", response={200: SubscriptionOut, **WRITE_ERRORS}
)
def activate(request, subscription_id: int, body: ActivityIn):
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return services.set_active(subscription, active=True, by=request.user, reason=body.reason)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response={200: SubscriptionSecretOut, **WRITE_ERRORS},
)
def rotate_secret(request, subscription_id: int):
    """A new signing secret, shown in this answer only."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return services.rotate_secret(subscription, by=request.user)


@router.post("/subscriptions/{subscription_id}/test", response={201: DeliveryOut, **WRITE_ERRORS})
def send_test(request, subscription_id: int):
    """Queue a `medtrace.ping` message to this subscription alone."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return Status(201, services.send_test(subscription, by=request.user))


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **READ_ERRORS},
)
@paginate(Pages)
def list_deliveries(request, subscription_id: int, status: DeliveryStatus | None = None):
    """The subscription's deliveries, newest first."""
    require_perm(request, "integration.view_subscription")
    return selectors.deliveries_of(_subscription(request, subscription_id), status=status)


@router.get(
    "/subscriptions/{subscription_id}/deliveries/{sequence}",
    response={200: DeliveryDetailOut, **READ_ERRORS},
)
def get_delivery(request, subscription_id: int, sequence: int):
    """One delivery with its message and every attempt."""
    require_perm(request, "integration.view_subscription")
    return _delivery(_subscription(request, subscription_id), sequence)


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{sequence}/redeliver",
    response={200: DeliveryOut, **WRITE_ERRORS},
)
def redeliver(request, subscription_id: int, sequence: int):
    """Send a dead, failing or delivered message again, at once."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(request, subscription_id, "integration.change_subscription")
    return services.redeliver(_delivery(subscription, sequence), by=request.user)


@router.get(
    "/subscriptions/{subscription_id}/feed",
    response={200: FeedOut, **READ_ERRORS, **error_responses(422)},
)
def read_feed(request, subscription_id: int, cursor: Query[FeedQuery]):
    """The messages numbered after `after`, oldest first. Keep the last `next_after` and ask
    again: the numbers have no gaps and appear in order, so nothing is skipped."""
    require_perm(request, "integration.view_subscription")
    subscription = _subscription(request, subscription_id)
    after = cursor.after
    items = selectors.feed(subscription, after=after, limit=cursor.limit)
    return {
        "subscription_id": subscription.public_id,
        "items": [
            {
                "sequence": item.sequence,
                "message_id": item.message.message_id,
                "event_type": item.message.event_type,
                "body": item.message.payload,
            }
            for item in items
        ],
        "next_after": items[-1].sequence if items else after,
    }
