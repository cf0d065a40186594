"""The EPCIS 2.0 query interface over the event log: the standard query parameters of the
REST binding (GET /events, GET /epcs/{epc}/events) read into one event queryset, and the
result written as an EPCISQueryDocument.

Lists are `|`-separated as the binding has them (EQ_bizStep=shipping|receiving). Identifiers
take any form the capture accepts (EPC URN, Digital Link on any domain) and match the
canonical form stored. A Digital Link with a GTIN alone (https://id.gs1.org/01/<gtin>) in a
MATCH_ parameter matches every lot and serial of that GTIN, as an EPC pattern would."""

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import cbv, codec
from medtrace.epcis.identifiers import canonical
from medtrace.epcis.schema import parse_time
from medtrace.trace.choices import ObjectRole
from medtrace.trace.models import EventObject, TraceEvent

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
INSTANCE_ROLES = {
    "MATCH_epc": (ObjectRole.OBJECT, ObjectRole.CHILD),
    "MATCH_parentID": (ObjectRole.PARENT,),
    "MATCH_inputEPC": (ObjectRole.INPUT,),
    "MATCH_outputEPC": (ObjectRole.OUTPUT,),
    "MATCH_anyEPC": tuple(ObjectRole.values),
}
CLASS_ROLES = {
    "MATCH_epcClass": (ObjectRole.OBJECT, ObjectRole.CHILD),
    "MATCH_inputEPCClass": (ObjectRole.INPUT,),
    "MATCH_outputEPCClass": (ObjectRole.OUTPUT,),
    "MATCH_anyEPCClass": (ObjectRole.OBJECT, ObjectRole.CHILD, ObjectRole.INPUT, ObjectRole.OUTPUT),
}
TIME_FILTERS = {
    "GE_eventTime": "event_time__gte",
    "LT_eventTime": "event_time__lt",
    "GE_recordTime": "record_time__gte",
    "LT_recordTime": "record_time__lt",
}
VALUE_FILTERS = {
    "eventType": ("event_type", None),
    "EQ_action": ("action", None),
    "EQ_bizStep": ("biz_step", cbv.BIZ_STEP),
    "EQ_disposition": ("disposition", cbv.DISPOSITION),
    "EQ_eventID": ("event_id", None),
}
LOCATION_FILTERS = {"EQ_bizLocation": "biz_location", "EQ_readPoint": "read_point"}
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}
PAGING = {"perPage", "nextPageToken", "orderBy", "orderDirection"}
SUPPORTED = (
    (set(INSTANCE_ROLES) | set(CLASS_ROLES) | set(TIME_FILTERS) | set(VALUE_FILTERS))
    | set(LOCATION_FILTERS)
    | PAGING
)


@dataclass
class Page:
    events: list[TraceEvent]
    next_token: str | None


def _refuse(parameter: str, message) -> DomainError:
    return DomainError(
        ErrorCode.VALIDATION,
        _("Query parameter %(parameter)s: %(message)s")
        % {"parameter": parameter, "message": message},
        parameter=parameter,
    )


def _values(text: str) -> list[str]:
    return [value.strip() for value in text.split("|") if value.strip()]


def touching(value: str, *, parameter: str) -> Q:
    """Events that touched `value` in any role, as an instance or as a class."""
    return _identifier_filter(parameter, [value], tuple(ObjectRole.values), class_level=None)


def _identifier_filter(parameter: str, values: list[str], roles, *, class_level: bool | None) -> Q:
    """Events touching one of `values` in one of `roles` (instance or class level, or both
    when `class_level` is None)."""
    wanted, prefixes = set(), []
    for value in values:
        try:
            identifier = canonical(value)
        except DomainError as error:
            raise _refuse(parameter, error.message) from None
        wanted.add(identifier)
        parts = identifier.removeprefix("https://id.gs1.org/").split("/")
        if identifier.startswith("https://id.gs1.org/01/") and len(parts) == 2:
            prefixes.append(identifier + "/")
    match = Q(identifier__in=wanted)
    for prefix in prefixes:
        match |= Q(identifier__startswith=prefix)
    touched = EventObject.objects.filter(match, role__in=roles)
    if class_level is not None:
        touched = touched.filter(class_level=class_level)
    return Q(pk__in=touched.values("event_id"))


def filter_events(events: QuerySet, params: dict[str, str]) -> QuerySet:
    """`events` narrowed by the EPCIS query parameters; unknown parameters are refused by
    name (a misspelt filter must not silently return everything)."""
    unknown = sorted(set(params) - SUPPORTED)
    if unknown:
        raise _refuse(
            unknown[0], _("not supported; the supported parameters are listed in docs/api.md.")
        )
    for parameter, lookup in TIME_FILTERS.items():
        if parameter in params:
            try:
                moment = parse_time(params[parameter])
            except (TypeError, ValueError):
                raise _refuse(
                    parameter,
                    _("write a date-time with its offset, e.g. 2026-03-14T08:00:00+08:00."),
                ) from None
            events = events.filter(**{lookup: moment})
    for parameter, (field, vocabulary) in VALUE_FILTERS.items():
        if parameter in params:
            values = _values(params[parameter])
            if vocabulary is not None:
                values = [vocabulary.bare(value) for value in values]
            events = events.filter(**{f"{field}__in": values})
    for parameter, field in LOCATION_FILTERS.items():
        if parameter in params:
            try:
                locations = [canonical(value) for value in _values(params[parameter])]
            except DomainError as error:
                raise _refuse(parameter, error.message) from None
            events = events.filter(**{f"{field}__in": locations})
    for parameter, roles in INSTANCE_ROLES.items():
        if parameter in params:
            events = events.filter(
                _identifier_filter(parameter, _values(params[parameter]), roles, class_level=False)
            )
    for parameter, roles in CLASS_ROLES.items():
        if parameter in params:
            events = events.filter(
                _identifier_filter(parameter, _values(params[parameter]), roles, class_level=True)
            )
    return events


def page(events: QuerySet, params: dict[str, str]) -> Page:
    """One page of the events in the asked order; the token is opaque to clients."""
    order = ORDER_FIELDS.get(params.get("orderBy", "eventTime"))
    if order is None:
        raise _refuse("orderBy", _("use eventTime or recordTime."))
    direction = params.get("orderDirection", "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise _refuse("orderDirection", _("use ASC or DESC."))
    prefix = "-" if direction == "DESC" else ""
    try:
        per_page = int(params.get("perPage", DEFAULT_PER_PAGE))
    except ValueError:
        per_page = 0
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise _refuse("perPage", _("a whole number from 1 to %(max)s.") % {"max": MAX_PER_PAGE})
    offset = _offset(params.get("nextPageToken"))
    ordered = events.order_by(f"{prefix}{order}", f"{prefix}pk")
    found = list(ordered[offset : offset + per_page + 1])
    more = len(found) > per_page
    return Page(events=found[:per_page], next_token=_token(offset + per_page) if more else None)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith("o") and text[1:].isdigit():
            return int(text[1:])
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise _refuse("nextPageToken", _("this token was not issued by this server."))


def query_document(events: list[TraceEvent], *, query_name: str = "SimpleEventQuery") -> dict:
    """The events as an EPCISQueryDocument (EPCIS 2.0 §8.2)."""
    return results_document([event.document for event in events], query_name=query_name)


def results_document(
    documents: list[dict], *, query_name: str, subscription_id: str | None = None
) -> dict:
    """Recorded event documents as an EPCISQueryDocument; with `subscription_id`, the results
    a standing query's subscription is sent."""
    document = codec.to_document(codec.event_from_dict(event) for event in documents)
    listed = document["epcisBody"]["eventList"]
    document["type"] = "EPCISQueryDocument"
    results = {"queryName": query_name}
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    results["resultsBody"] = {"eventList": listed}
    document["epcisBody"] = {"queryResults": results}
    return document
