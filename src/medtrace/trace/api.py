"""The trace over the REST API: EPCIS 2.0 capture and query (mounted at /api/v1/epcis, after
GS1's REST binding) and the trace contract (mounted at /api/v1/trace)."""

import json
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.access import site_ids_with_perm
from medtrace.org.models import Site
from medtrace.trace import contract, engine, epcis_query, selectors
from medtrace.trace.services import capture as capturing

epcis_router = Router(tags=["epcis"])
trace_router = Router(tags=["trace"])

JSON_LD = "application/ld+json"
DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An EPCIS 2.0 document (EPCISDocument) in JSON or JSON-LD.",
        "content": {
            JSON_LD: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
QUERY_RESULT = {
    "responses": {
        200: {
            "description": 'An EPCISQueryDocument; a `Link: <…>; rel="next"` header when there '
            "are more pages.",
            "content": {JSON_LD: {"schema": {"type": "object"}}},
        }
    }
}


def _capture_site(request, code: str | None) -> Site:
    allowed = site_ids_with_perm(request.user, "trace.add_traceevent")
    sites = Site.objects.filter(
        organization_id=request.user.organization_id, is_active=True, pk__in=allowed
    )
    if code:
        site = sites.filter(code=code.upper()).first()
        if site is None:
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("You may not record events at site %(site)s.") % {"site": code},
            )
        return site
    found = list(sites[:2])
    if len(found) != 1:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Say at which site the events are recorded (?site=CODE)."),
        )
    return found[0]


@epcis_router.post("/capture", response={202: dict, **WRITE_ERRORS}, openapi_extra=DOCUMENT_BODY)
def capture(request, site: str | None = None, create_missing: bool = False):
    """Validate an EPCIS 2.0 document against GS1's schema and record its events, all or
    none. Answers 202 with the capture ID and each event's result (`recorded`: false when it
    was already recorded); 422 names the event index, ID and field of the first problem."""
    require_perm(request, "trace.add_traceevent")
    chosen = _capture_site(request, site)
    result = capturing.capture(
        request.body,
        organization=chosen.organization,
        site=chosen,
        by=request.user,
        create_missing=create_missing,
        source="REST capture",
    )
    return Status(202, result.as_dict())


def query_response(
    request, events, params: dict[str, str], *, query_name: str = "SimpleEventQuery"
) -> HttpResponse:
    page = epcis_query.page(epcis_query.filter_events(events, params), params)
    document = epcis_query.query_document(page.events, query_name=query_name)
    response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type=JSON_LD)
    if page.next_token:
        following = {**params, "nextPageToken": page.next_token}
        response["Link"] = f'<{request.path}?{urlencode(following)}>; rel="next"'
    return response


@epcis_router.get("/events", response=READ_ERRORS, openapi_extra=QUERY_RESULT)
def events(request):
    """Events matching the EPCIS query parameters (eventType, EQ_action, EQ_bizStep,
    EQ_disposition, EQ_eventID, EQ_bizLocation, EQ_readPoint, GE_/LT_eventTime,
    GE_/LT_recordTime, MATCH_epc, MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC,
    MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass, MATCH_outputEPCClass,
    MATCH_anyEPCClass; perPage, nextPageToken, orderBy, orderDirection). Lists are
    `|`-separated."""
    require_perm(request, "trace.view_traceevent")
    return query_response(request, selectors.visible_events(request.user), request.GET.dict())


@epcis_router.get("/epcs/{path:epc}/events", response=READ_ERRORS, openapi_extra=QUERY_RESULT)
def epc_events(request, epc: str):
    """Every event that touched one EPC (any role, instance or class level), with the same
    query parameters as /events."""
    require_perm(request, "trace.view_traceevent")
    params = request.GET.dict()
    events = selectors.visible_events(request.user).filter(
        epcis_query.touching(epc, parameter="epc")
    )
    return query_response(request, events, params)


def _trace(request, direction: str, id: str, max_depth: int | None, as_of: datetime | None):
    require_perm(request, "trace.view_traceobject")
    root = selectors.find_one(request.user, id)
    if as_of is not None and timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    result = engine.trace(root, direction, max_depth=max_depth, as_of=as_of)
    return contract.as_dict(selectors.visible_result(result, request.user))


@trace_router.get("/forward", response={200: dict, **WRITE_ERRORS})
def trace_forward(request, id: str, max_depth: int | None = None, as_of: datetime | None = None):
    """Where it went: lots and units made from `id` (any scan, Digital Link, EPC URN, or a
    lot / serial number), containers, shipments and destination parties, with counts by
    status; `as_of` traces what had happened by then."""
    return _trace(request, engine.FORWARD, id, max_depth, as_of)


@trace_router.get("/backward", response={200: dict, **WRITE_ERRORS})
def trace_backward(request, id: str, max_depth: int | None = None, as_of: datetime | None = None):
    """Where it came from: lots `id` was made from and their source parties."""
    return _trace(request, engine.BACKWARD, id, max_depth, as_of)
