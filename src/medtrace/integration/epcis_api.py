"""EPCIS 2.0 named queries and their subscriptions, after GS1's REST binding (mounted at
/api/v1/epcis): POST/GET /queries, GET/DELETE /queries/{name}, GET /queries/{name}/events,
POST/GET /queries/{name}/subscriptions, GET/DELETE /queries/{name}/subscriptions/{id}.

Streaming subscriptions only (`stream: true`): each new matching event is POSTed to `dest` as
an EPCISQueryDocument signed with the client's `signatureToken` (GS1-Signature header, HMAC
SHA-256). DELETE withdraws: the rows stay, as every record here does."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.integration import selectors, services
from medtrace.integration.models import EpcisQuery, Subscription
from medtrace.trace import epcis_query
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.api import QUERY_RESULT, query_response

router = Router(tags=["epcis"])


class NamedQueryIn(Schema):
    name: str = Field(description="Letters, digits, '_', '.' and '-'.")
    query: dict[str, Any] = Field(
        description='EPCIS 2.0 query parameters, e.g. {"EQ_bizStep": "shipping"}.'
    )


class NamedQueryOut(Schema):
    name: str
    query: dict[str, Any] = Field(alias="parameters")
    active: bool = Field(alias="is_active")
    created_at: datetime


class QuerySubscriptionIn(Schema):
    dest: str = Field(description="The client's callback URL.")
    signatureToken: str | None = Field(None, description="The HMAC key (16–128 characters).")
    stream: bool = False
    schedule: dict[str, Any] | None = None
    reportIfEmpty: bool = False
    initialRecordTime: datetime | None = None


class QuerySubscriptionOut(Schema):
    subscriptionID: UUID = Field(alias="public_id")
    dest: str = Field(alias="url")
    stream: bool = True
    active: bool = Field(alias="is_active")
    createdAt: datetime = Field(alias="created_at")
    lastNotifiedAt: datetime | None = Field(alias="last_delivered_at")


def _query(request, name: str, *, active_only: bool = False) -> EpcisQuery:
    queries = selectors.visible_queries(request.user).filter(name=name)
    if active_only:
        queries = queries.filter(is_active=True)
    found = queries.first()
    if found is None:
        raise Http404
    return found


def _subscription(request, query: EpcisQuery, subscription_id: UUID, perm: str) -> Subscription:
    found = (
        selectors.visible_subscriptions(request.user, perm)
        .filter(query=query, public_id=subscription_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.get("/queries", response=list[NamedQueryOut])
def list_queries(request):
    """The named queries in force."""
    require_perm(request, "integration.view_epcisquery")
    return selectors.visible_queries(request.user).filter(is_active=True)


@router.post("/queries", response={201: NamedQueryOut, **WRITE_ERRORS})
def create_query(request, body: NamedQueryIn, response: HttpResponse):
    """Keep query parameters under a name; 409 if the name is taken."""
    require_perm(request, "integration.add_epcisquery")
    query = services.create_query(
        organization=request.user.organization,
        name=body.name,
        parameters=body.query,
        by=request.user,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{query.name}"
    return Status(201, query)


@router.get("/queries/{name}", response={200: NamedQueryOut, **READ_ERRORS})
def get_query(request, name: str):
    require_perm(request, "integration.view_epcisquery")
    return _query(request, name, active_only=True)


@router.delete("/queries/{name}", response={204: None, **WRITE_ERRORS})
def delete_query(request, name: str):
    """Withdraw the query and switch off every subscription on it."""
    require_perm(request, "integration.change_epcisquery")
    services.retire_query(_query(request, name, active_only=True), by=request.user)
    return Status(204, None)


@router.get("/queries/{name}/events", response=READ_ERRORS, openapi_extra=QUERY_RESULT)
def query_events(request, name: str):
    """The named query's results now, with the paging parameters of /events."""
    require_perm(request, "trace.view_traceevent")
    query = _query(request, name, active_only=True)
    paging = {key: value for key, value in request.GET.dict().items() if key in epcis_query.PAGING}
    return query_response(
        request,
        trace_selectors.visible_events(request.user),
        {**query.parameters, **paging},
        query_name=query.name,
    )


@router.post("/queries/{name}/subscriptions", response={201: QuerySubscriptionOut, **WRITE_ERRORS})
def subscribe(request, name: str, body: QuerySubscriptionIn, response: HttpResponse):
    """A streaming subscription: each new matching event of the caller's sites is POSTed to
    `dest`. Scheduled subscriptions are refused (422), as is a subscription without `stream`."""
    require_perm(request, "integration.add_subscription")
    query = _query(request, name, active_only=True)
    subscription = services.subscribe_to_query(
        query,
        dest=body.dest,
        signature_token=body.signatureToken,
        stream=body.stream,
        schedule=body.schedule,
        initial_record_time=body.initialRecordTime,
        by=request.user,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{subscription.public_id}"
    return Status(201, subscription)


@router.get(
    "/queries/{name}/subscriptions", response={200: list[QuerySubscriptionOut], **READ_ERRORS}
)
def list_query_subscriptions(request, name: str):
    """The active subscriptions on the query."""
    require_perm(request, "integration.view_subscription")
    query = _query(request, name)
    return selectors.visible_subscriptions(request.user).filter(query=query, is_active=True)


@router.get(
    "/queries/{name}/subscriptions/{subscription_id}",
    response={200: QuerySubscriptionOut, **READ_ERRORS},
)
def get_query_subscription(request, name: str, subscription_id: UUID):
    require_perm(request, "integration.view_subscription")
    return _subscription(
        request, _query(request, name), subscription_id, "integration.view_subscription"
    )


@router.delete(
    "/queries/{name}/subscriptions/{subscription_id}", response={204: None, **WRITE_ERRORS}
)
def unsubscribe(request, name: str, subscription_id: UUID):
    """Switch the subscription off (it stays, with its delivery log)."""
    require_perm(request, "integration.change_subscription")
    subscription = _subscription(
        request, _query(request, name), subscription_id, "integration.change_subscription"
    )
    services.set_active(subscription, active=False, by=request.user, reason="unsubscribed")
    return Status(204, None)
