"""EPCIS 2.0 JSON / JSON-LD in and out. parse_document validates a document (or a query
document, or one bare event) against GS1's schema, then reads its events into the canonical
model; event_to_dict and to_document write them back in the simple-context JSON form, so that
parse_document(to_document(events)).events == tuple(events).

Reading refuses, with every problem at once and nothing read: what the schema refuses; text
no database stores (NUL, lone surrogates) and nesting deeper than MAX_DEPTH; GS1
identifiers that are not valid (check digits, compressed Digital Links); and the few things
the model cannot hold, rather than dropping them: event types other than the five standard
ones, extension members inside readPoint, bizLocation or errorDeclaration, and more than one
certificationInfo. One tolerance: EPCIS 1.x CBV URNs (urn:epcglobal:cbv:bizstep:shipping),
which the 2.0 schema forbids, are read as the bare names they stand for."""

import copy
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import cbv, guards, schema
from medtrace.epcis.hashing import event_hash_id
from medtrace.epcis.identifiers import canonical
from medtrace.epcis.model import (
    EVENT_TYPES,
    Document,
    ErrorDeclaration,
    Event,
    QuantityElement,
    TypedId,
)

__all__ = ["event_from_dict", "event_hash_id", "event_to_dict", "parse_document", "to_document"]

CONTEXT_URL = schema.CONTEXT_URL
# Members the standard defines on events; anything else at the top level is an extension.
STANDARD_MEMBERS = frozenset(
    {
        "@context",
        "type",
        "eventID",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "certificationInfo",
        "errorDeclaration",
        "action",
        "epcList",
        "quantityList",
        "parentID",
        "childEPCs",
        "childQuantityList",
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "ilmd",
    }
)
CHILD_TYPES = ("AggregationEvent", "AssociationEvent")
ERROR_DECLARATION_MEMBERS = {"declarationTime", "reason", "correctiveEventIDs"}


# Reading.


def parse_document(data: bytes | str | dict) -> Document:
    """An EPCISDocument, an EPCISQueryDocument or one bare event, read into the model.
    Refuses with DomainError(VALIDATION, errors=[{"path": JSON pointer, "message": ...}])."""
    document = _loaded(data)
    if not isinstance(document, dict):
        _refuse([{"path": "", "message": "An EPCIS document is a JSON object."}])
    problems = guards.unreadable(document)
    if problems:
        _refuse(problems)
    document = copy.deepcopy(document)
    for _path, event in _located_events(document):
        _upgrade_cbv_urns(event)
    problems = schema.errors(document)
    if problems:
        _refuse(problems)
    return _Reader().document(document)


def event_from_dict(data: dict, *, context: dict[str, str] | None = None) -> Event:
    """One event in EPCIS 2.0 JSON form (as event_to_dict writes it) read into the model,
    without schema validation; `context` adds namespace prefixes to the event's own."""
    reader = _Reader()
    event = reader.event(data, "", dict(context or {}))
    if reader.problems:
        _refuse(reader.problems)
    return event


def _loaded(data: bytes | str | dict) -> Any:
    if isinstance(data, dict):
        return data
    try:
        return json.loads(data, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:
        _refuse([{"path": "", "message": f"Not valid JSON: {error}"}])
    except RecursionError:
        _refuse([{"path": "", "message": guards.too_deep()}])


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _refuse(problems: list[dict]):
    raise DomainError(
        ErrorCode.VALIDATION,
        _("The EPCIS document was refused: %(count)s problem(s), the first at %(path)s: %(first)s")
        % {
            "count": len(problems),
            "path": problems[0]["path"] or "/",
            "first": problems[0]["message"],
        },
        errors=problems,
    )


def _located_events(document: dict) -> list[tuple[str, Any]]:
    """(JSON pointer, event) for every event the document carries, whatever its shape;
    before validation, so it looks defensively."""
    kind = document.get("type")
    if kind not in ("EPCISDocument", "EPCISQueryDocument"):
        return [("", document)]
    body = document.get("epcisBody")
    path = "/epcisBody"
    if kind == "EPCISQueryDocument":
        for member in ("queryResults", "resultsBody"):
            body = body.get(member) if isinstance(body, dict) else None
            path += "/" + member
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        return []
    return [(f"{path}/eventList/{index}", event) for index, event in enumerate(events)]


def _upgrade_cbv_urns(event: Any) -> None:
    """EPCIS 1.x CBV URNs, and GS1 Web URIs of standard values, as bare names."""
    if not isinstance(event, dict):
        return
    for member, vocabulary in (("bizStep", cbv.BIZ_STEP), ("disposition", cbv.DISPOSITION)):
        if isinstance(event.get(member), str):
            event[member] = vocabulary.bare(event[member])
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for key in ("set", "unset"):
            if isinstance(persistent.get(key), list):
                persistent[key] = [_bare(cbv.DISPOSITION, item) for item in persistent[key]]
    for member, vocabulary in (
        ("bizTransactionList", cbv.BIZ_TRANSACTION_TYPE),
        ("sourceList", cbv.SOURCE_DESTINATION_TYPE),
        ("destinationList", cbv.SOURCE_DESTINATION_TYPE),
    ):
        entries = event.get(member)
        for entry in entries if isinstance(entries, list) else ():  # not validated yet
            if isinstance(entry, dict) and isinstance(entry.get("type"), str):
                entry["type"] = vocabulary.bare(entry["type"])
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict) and isinstance(declaration.get("reason"), str):
        declaration["reason"] = cbv.ERROR_REASON.bare(declaration["reason"])


def _bare(vocabulary: cbv.Vocabulary, value: Any) -> Any:
    return vocabulary.bare(value) if isinstance(value, str) else value


class _Reader:
    """Reads validated JSON into the model, collecting every problem with its path."""

    def __init__(self):
        self.problems: list[dict[str, str]] = []

    def document(self, document: dict) -> Document:
        declared = _declared_prefixes(document.get("@context"))
        events = []
        for path, data in _located_events(document):
            event = self.event(data, path, declared)
            if len(self.problems) >= schema.MAX_ERRORS:
                break
            events.append(event)
        if self.problems:
            _refuse(self.problems[: schema.MAX_ERRORS])
        is_document = document.get("type") in ("EPCISDocument", "EPCISQueryDocument")
        creation = document.get("creationDate") if is_document else None
        return Document(
            events=tuple(events),
            creation_date=schema.parse_time(creation) if creation else None,
            sender=document.get("sender") if is_document else None,
            receiver=document.get("receiver") if is_document else None,
            context=declared,
        )

    def problem(self, path: str, message) -> None:
        self.problems.append({"path": path, "message": str(message)})

    def identifier(self, value: str, path: str) -> str:
        try:
            return canonical(value)
        except DomainError as error:
            self.problem(path, error.message)
            return value

    def identifiers(self, values, path: str) -> tuple[str, ...]:
        result, seen = [], {}
        for index, value in enumerate(values or ()):
            converted = self.identifier(value, f"{path}/{index}")
            if converted in seen:
                self.problem(
                    f"{path}/{index}",
                    _("%(value)s names the same object as entry %(other)s.")
                    % {"value": value, "other": seen[converted]},
                )
            seen.setdefault(converted, index)
            result.append(converted)
        return tuple(result)

    def quantities(self, values, path: str) -> tuple[QuantityElement, ...]:
        return tuple(
            QuantityElement(
                epc_class=self.identifier(value["epcClass"], f"{path}/{index}/epcClass"),
                quantity=_decimal(value.get("quantity")),
                uom=value.get("uom"),
            )
            for index, value in enumerate(values or ())
        )

    def typed(self, values, member: str, vocabulary: cbv.Vocabulary, path: str):
        return tuple(
            TypedId(
                vocabulary.bare(value.get("type")) or "",
                self.identifier(value[member], f"{path}/{index}/{member}"),
            )
            for index, value in enumerate(values or ())
        )

    def location(self, data: dict, member: str, path: str) -> str | None:
        value = data.get(member)
        if value is None:
            return None
        extra = sorted(set(value) - {"id"})
        if extra:
            self.problem(
                f"{path}/{member}/{extra[0]}",
                _("Extension members inside %(member)s are not supported.") % {"member": member},
            )
        return self.identifier(value["id"], f"{path}/{member}/id")

    def event(self, data: dict, path: str, declared: dict[str, str]) -> Event | None:
        event_type = data.get("type")
        if event_type not in EVENT_TYPES:
            self.problem(
                f"{path}/type",
                _("%(type)s is not one of the five EPCIS event types medtrace reads.")
                % {"type": event_type},
            )
            return None
        children = event_type in CHILD_TYPES
        extensions = _free(
            {name: value for name, value in data.items() if name not in STANDARD_MEMBERS}
        )
        ilmd = _free(data.get("ilmd") or {})
        sensors = tuple(_free(data.get("sensorElementList") or []))
        context = _used_prefixes(
            declared | _declared_prefixes(data.get("@context")), (extensions, ilmd, sensors)
        )
        try:
            event = Event(
                event_type=event_type,
                event_id=data.get("eventID") or "",
                event_time=schema.parse_time(data["eventTime"]),
                event_time_zone_offset=data["eventTimeZoneOffset"],
                record_time=_time(data.get("recordTime")),
                action=data.get("action"),
                biz_step=cbv.BIZ_STEP.bare(data.get("bizStep")),
                disposition=cbv.DISPOSITION.bare(data.get("disposition")),
                read_point=self.location(data, "readPoint", path),
                biz_location=self.location(data, "bizLocation", path),
                parent_id=(
                    self.identifier(data["parentID"], f"{path}/parentID")
                    if data.get("parentID")
                    else None
                ),
                epc_list=self.identifiers(
                    data.get("childEPCs" if children else "epcList"),
                    f"{path}/{'childEPCs' if children else 'epcList'}",
                ),
                quantity_list=self.quantities(
                    data.get("childQuantityList" if children else "quantityList"),
                    f"{path}/{'childQuantityList' if children else 'quantityList'}",
                ),
                input_epc_list=self.identifiers(data.get("inputEPCList"), f"{path}/inputEPCList"),
                input_quantity_list=self.quantities(
                    data.get("inputQuantityList"), f"{path}/inputQuantityList"
                ),
                output_epc_list=self.identifiers(
                    data.get("outputEPCList"), f"{path}/outputEPCList"
                ),
                output_quantity_list=self.quantities(
                    data.get("outputQuantityList"), f"{path}/outputQuantityList"
                ),
                transformation_id=data.get("transformationID"),
                biz_transactions=self.typed(
                    data.get("bizTransactionList"),
                    "bizTransaction",
                    cbv.BIZ_TRANSACTION_TYPE,
                    f"{path}/bizTransactionList",
                ),
                sources=self.typed(
                    data.get("sourceList"),
                    "source",
                    cbv.SOURCE_DESTINATION_TYPE,
                    f"{path}/sourceList",
                ),
                destinations=self.typed(
                    data.get("destinationList"),
                    "destination",
                    cbv.SOURCE_DESTINATION_TYPE,
                    f"{path}/destinationList",
                ),
                ilmd=dict(ilmd),
                sensor_element_list=sensors,
                persistent_disposition=_persistent_disposition(data.get("persistentDisposition")),
                certification_info=self.certification_info(data.get("certificationInfo"), path),
                error_declaration=self.error_declaration(data.get("errorDeclaration"), path),
                extensions=extensions,
                context=context,
            )
        except (KeyError, TypeError, ValueError) as error:  # only without schema validation
            self.problem(path, _("This is not an EPCIS event: %(error)r") % {"error": error})
            return None
        if not event.event_id and not self.problems:
            event = replace(event, event_id=event_hash_id(event))
        return event

    def certification_info(self, value: Any, path: str) -> str | None:
        if isinstance(value, list):
            if len(value) > 1:
                self.problem(
                    f"{path}/certificationInfo",
                    _("medtrace keeps one certificationInfo per event; this one has %(n)s.")
                    % {"n": len(value)},
                )
            return value[0] if value else None
        return value

    def error_declaration(self, value: dict | None, path: str) -> ErrorDeclaration | None:
        if value is None:
            return None
        extra = sorted(set(value) - ERROR_DECLARATION_MEMBERS)
        if extra:
            self.problem(
                f"{path}/errorDeclaration/{extra[0]}",
                _("Extension members inside errorDeclaration are not supported."),
            )
        return ErrorDeclaration(
            declaration_time=schema.parse_time(value["declarationTime"]),
            reason=cbv.ERROR_REASON.bare(value.get("reason")),
            corrective_event_ids=tuple(value.get("correctiveEventIDs") or ()),
        )


def _time(value: str | None) -> datetime | None:
    return schema.parse_time(value) if value else None


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _persistent_disposition(value: dict | None) -> dict[str, list[str]] | None:
    if value is None:
        return None
    return {
        key: [cbv.DISPOSITION.bare(item) for item in value.get(key, ())] for key in ("set", "unset")
    }


def _free(value: Any) -> Any:
    """Free-form JSON (ILMD, extensions, sensor elements) as plain JSON values: numbers that
    the text reader kept exact (Decimal) become floats, so the model stays JSON-serialisable.
    Quantities keep their Decimals."""
    if isinstance(value, dict):
        return {name: _free(inner) for name, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_free(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def _declared_prefixes(context: Any) -> dict[str, str]:
    """The namespace prefixes an @context declares beyond the standard context."""
    items = context if isinstance(context, list) else [context]
    declared = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for name, value in item.items():
            if name.startswith("@") or name in schema.standard_terms():
                continue
            if isinstance(value, dict):
                value = value.get("@id")
            if isinstance(value, str):
                declared[name] = value
    return declared


def _used_prefixes(declared: dict[str, str], values: Iterable[Any]) -> dict[str, str]:
    """The declared prefixes that member names (or CURIE values) inside `values` use."""
    used: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                used.add(name.partition(":")[0])
                visit(inner)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)
        elif isinstance(value, str):
            used.add(value.partition(":")[0])

    for value in values:
        visit(value)
    return {prefix: uri for prefix, uri in sorted(declared.items()) if prefix in used}


# Writing.


def event_to_dict(event: Event) -> dict:
    """The event in EPCIS 2.0 JSON (simple context) form: JSON-serialisable, members with no
    value left out, the same dict for equal events. An event that uses extension prefixes
    carries them as its own "@context"."""
    children = event.event_type in CHILD_TYPES
    offset = _offset(event.event_time_zone_offset)
    data: dict[str, Any] = {}
    if event.context:
        data["@context"] = dict(sorted(event.context.items()))
    data["type"] = event.event_type
    if event.event_id:
        data["eventID"] = event.event_id
    data["eventTime"] = _iso(event.event_time, offset)
    data["eventTimeZoneOffset"] = event.event_time_zone_offset
    if event.record_time is not None:
        data["recordTime"] = _iso(event.record_time, offset)
    if event.certification_info:
        data["certificationInfo"] = event.certification_info
    if event.error_declaration is not None:
        data["errorDeclaration"] = _error_declaration(event.error_declaration, offset)
    if event.event_type == "TransactionEvent":
        _put(data, "bizTransactionList", _typed(event.biz_transactions, "bizTransaction"))
    _put(data, "parentID", event.parent_id)
    epcs, quantities = (
        ("childEPCs", "childQuantityList") if children else ("epcList", "quantityList")
    )
    if event.epc_list or (not children and not event.quantity_list and event.action):
        data[epcs] = list(event.epc_list)  # Object/TransactionEvents always say which EPCs
    _put(data, quantities, [_quantity(element) for element in event.quantity_list])
    _put(data, "inputEPCList", list(event.input_epc_list))
    _put(data, "inputQuantityList", [_quantity(q) for q in event.input_quantity_list])
    _put(data, "outputEPCList", list(event.output_epc_list))
    _put(data, "outputQuantityList", [_quantity(q) for q in event.output_quantity_list])
    _put(data, "transformationID", event.transformation_id)
    _put(data, "action", event.action)
    _put(data, "bizStep", event.biz_step)
    _put(data, "disposition", event.disposition)
    if event.persistent_disposition:
        _put(
            data,
            "persistentDisposition",
            {key: list(value) for key, value in event.persistent_disposition.items() if value},
        )
    _put(data, "readPoint", {"id": event.read_point} if event.read_point else None)
    _put(data, "bizLocation", {"id": event.biz_location} if event.biz_location else None)
    if event.event_type != "TransactionEvent":
        _put(data, "bizTransactionList", _typed(event.biz_transactions, "bizTransaction"))
    _put(data, "sourceList", _typed(event.sources, "source"))
    _put(data, "destinationList", _typed(event.destinations, "destination"))
    _put(data, "sensorElementList", copy.deepcopy(list(event.sensor_element_list)))
    _put(data, "ilmd", copy.deepcopy(event.ilmd))
    for name, value in event.extensions.items():
        if name in data:
            raise ValueError(f"Extension member {name} collides with a standard member.")
        data[name] = copy.deepcopy(value)
    return data


def to_document(
    events: Iterable[Event],
    *,
    sender: str | None = None,
    receiver: str | None = None,
    context: dict[str, str] | None = None,
) -> dict:
    """An EPCISDocument (schemaVersion 2.0) of the events, with the standard context and one
    object declaring every extension prefix the events use. An event whose prefix means
    something else than the document's keeps its own @context."""
    events = list(events)
    declared = {
        prefix: uri
        for prefix, uri in (context or {}).items()
        if prefix not in schema.standard_terms()
    }
    for event in events:
        for prefix, uri in event.context.items():
            declared.setdefault(prefix, uri)
    listed = []
    for event in events:
        data = event_to_dict(event)
        own = data.pop("@context", {})
        differing = {prefix: uri for prefix, uri in own.items() if declared.get(prefix) != uri}
        listed.append({"@context": differing, **data} if differing else data)
    document: dict[str, Any] = {
        "@context": [CONTEXT_URL, dict(sorted(declared.items()))] if declared else [CONTEXT_URL],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(datetime.now(UTC), UTC),
    }
    if sender:
        document["sender"] = sender
    if receiver:
        document["receiver"] = receiver
    document["epcisBody"] = {"eventList": listed}
    return document


def _put(data: dict, name: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        data[name] = value


def _offset(text: str) -> timezone:
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = text[1:].split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except (ValueError, IndexError):
        return UTC


def _iso(moment: datetime, offset: timezone) -> str:
    local = moment.astimezone(offset)
    spec = "milliseconds" if local.microsecond % 1000 == 0 else "microseconds"
    text = local.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _number(value: Decimal) -> int | float:
    """Integral quantities as JSON integers (10.000 is 10), others as the nearest double."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _quantity(element: QuantityElement) -> dict:
    data: dict[str, Any] = {"epcClass": element.epc_class}
    if element.quantity is not None:
        data["quantity"] = _number(Decimal(element.quantity))
    if element.uom:
        data["uom"] = element.uom
    return data


def _typed(values: tuple[TypedId, ...], member: str) -> list[dict]:
    return [
        ({"type": typed.type} if typed.type else {}) | {member: typed.value} for typed in values
    ]


def _error_declaration(declaration: ErrorDeclaration, offset: timezone) -> dict:
    data: dict[str, Any] = {"declarationTime": _iso(declaration.declaration_time, offset)}
    if declaration.reason:
        data["reason"] = declaration.reason
    if declaration.corrective_event_ids:
        data["correctiveEventIDs"] = list(declaration.corrective_event_ids)
    return data
