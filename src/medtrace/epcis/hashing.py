"""The EPCIS event hash ID of CBV 2.0 (section 8.9): a SHA-256 over a canonical "pre-hash
string" of the event, as ni:///sha-256;<hex>?ver=CBV2.0, the same for every serialisation of
the same event (XML or JSON, any member or list order, EPC URN or Digital Link, bare CBV
name or URN).

The pre-hash string follows the algorithm as published with GS1's reference implementation
(github.com/RalphTro/epcis-event-hash-generator, README "Algorithm"): fields in the canonical
property order below, "key=value" pairs without separators, list entries and free-form
members sorted, CBV values as GS1 Web URIs, GS1 identifiers as constrained canonical Digital
Links, times in UTC at millisecond precision, numbers without trailing zeros, extension and
ILMD member names as {namespace}localName. eventID, recordTime, errorDeclaration and
certificationInfo are not part of the CBV 2.0 pre-hash: an event declared erroneous keeps its
ID. Where the README and the reference output differ, the output wins (it is what other
implementations test against): the type of a source, destination or business transaction
comes before its identifier, sensor measurement types are https://ref.gs1.org/voc/ terms,
and user extensions inside sensor elements are hashed with the event's own extensions.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from medtrace.core.errors import DomainError
from medtrace.epcis import cbv, identifiers
from medtrace.epcis.model import Event, QuantityElement
from medtrace.epcis.schema import parse_time, standard_prefixes
from medtrace.scan import digital_link as scan_digital_link
from medtrace.scan.checks import gs1_check_digit
from medtrace.scan.errors import ScanError

VERSION = "CBV2.0"
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
DIGITS = re.compile(r"^\d+\Z")
GS1_VOCABULARY = "https://ref.gs1.org/voc/"
SENSOR_METADATA_ORDER = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
SENSOR_REPORT_ORDER = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
TIME_MEMBERS = {"time", "startTime", "endTime"}
CHILD_TYPES = ("AggregationEvent", "AssociationEvent")


def event_hash_id(event_or_dict: Event | dict) -> str:
    """The CBV 2.0 event hash ID of an Event, or of one event in EPCIS 2.0 JSON form."""
    if isinstance(event_or_dict, Event):
        event = event_or_dict
    else:
        from medtrace.epcis.codec import event_from_dict

        event = event_from_dict(event_or_dict)
    digest = hashlib.sha256(prehash(event).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={VERSION}"


def prehash(event: Event) -> str:
    return _PreHash(event).string()


class _PreHash:
    def __init__(self, event: Event):
        self.event = event
        self.namespaces = standard_prefixes() | event.context

    def string(self) -> str:
        event = self.event
        children = event.event_type in CHILD_TYPES
        members = event.epc_list
        quantities = event.quantity_list
        parts = [
            f"eventType={event.event_type}",
            f"eventTime={utc_milliseconds(event.event_time)}",
            f"eventTimeZoneOffset={event.event_time_zone_offset}",
            self.epcs("epcList", () if children else members),
            self.single("parentID", event.parent_id),
            self.epcs("inputEPCList", event.input_epc_list),
            self.epcs("childEPCs", members if children else ()),
            self.quantities("quantityList", () if children else quantities),
            self.quantities("childQuantityList", quantities if children else ()),
            self.quantities("inputQuantityList", event.input_quantity_list),
            self.epcs("outputEPCList", event.output_epc_list),
            self.quantities("outputQuantityList", event.output_quantity_list),
            self.single("action", event.action),
            self.single("transformationID", event.transformation_id),
            self.single("bizStep", event.biz_step and cbv.BIZ_STEP.web_uri(event.biz_step)),
            self.single(
                "disposition", event.disposition and cbv.DISPOSITION.web_uri(event.disposition)
            ),
            self.persistent_disposition(event.persistent_disposition),
            self.single("readPointid", event.read_point),
            self.single("bizLocationid", event.biz_location),
            self.typed("bizTransactionList", "bizTransaction", event.biz_transactions),
            self.typed("sourceList", "source", event.sources),
            self.typed("destinationList", "destination", event.destinations),
        ]
        sensors, leftovers = self.sensor_elements(event.sensor_element_list)
        parts.append(sensors)
        ilmd = [item for name, value in event.ilmd.items() for item in self.free(name, value)]
        if ilmd:
            parts.append("ilmd" + "".join(sorted(ilmd)))
        extensions = [
            item for name, value in event.extensions.items() for item in self.free(name, value)
        ]
        parts.append("".join(sorted(extensions + leftovers)))
        return "".join(parts)

    # The standard fields.

    def single(self, name: str, value: str | None) -> str:
        return f"{name}={self.value(value)}" if value else ""

    def epcs(self, name: str, values) -> str:
        if not values:
            return ""
        return name + "".join(sorted(f"epc={self.value(value)}" for value in values))

    def quantities(self, name: str, elements: tuple[QuantityElement, ...]) -> str:
        if not elements:
            return ""
        rendered = []
        for element in elements:
            text = f"quantityElementepcClass={self.value(element.epc_class)}"
            if element.quantity is not None:
                text += f"quantity={number(element.quantity)}"
            if element.uom:
                text += f"uom={element.uom}"
            rendered.append(text)
        return name + "".join(sorted(rendered))

    def persistent_disposition(self, value: dict | None) -> str:
        if not value:
            return ""
        text = "".join(
            "".join(sorted(f"{key}={cbv.DISPOSITION.web_uri(item)}" for item in value.get(key, ())))
            for key in ("set", "unset")
        )
        return "persistentDisposition" + text if text else ""

    def typed(self, name: str, member: str, values) -> str:
        if not values:
            return ""
        vocabulary = (
            cbv.BIZ_TRANSACTION_TYPE if member == "bizTransaction" else cbv.SOURCE_DESTINATION_TYPE
        )
        rendered = [
            (f"type={self.value(vocabulary.web_uri(typed.type))}" if typed.type else "")
            + f"{member}={self.value(typed.value)}"
            for typed in values
        ]
        return name + "".join(sorted(rendered))

    def sensor_elements(self, elements) -> tuple[str, list[str]]:
        """The sensor elements in the canonical order (CBV 2.0 leaves out the list's own
        name), and the user extensions found inside them, hashed as event extensions."""
        rendered, leftovers = [], []
        for element in elements:
            metadata = element.get("sensorMetadata") or {}
            reports = element.get("sensorReport") or []
            text, extra = "", []
            regular = self.ordered(metadata, SENSOR_METADATA_ORDER)
            if regular:
                text += "sensorMetadata" + regular
            more = self.unordered(metadata, SENSOR_METADATA_ORDER)
            if more:
                extra.append("sensorMetadata" + more)
            report_texts = []
            for report in reports:
                regular = self.ordered(report, SENSOR_REPORT_ORDER)
                if regular:
                    report_texts.append("sensorReport" + regular)
                more = self.unordered(report, SENSOR_REPORT_ORDER)
                if more:
                    extra.append("sensorReport" + more)
            text += "".join(sorted(report_texts))
            if text:
                rendered.append("sensorElement" + text)
            extra += [
                item
                for name, value in element.items()
                if name not in ("sensorMetadata", "sensorReport")
                for item in self.free(name, value)
            ]
            if extra:
                leftovers.append("sensorElement" + "".join(sorted(extra)))
        return "".join(sorted(rendered)), leftovers

    def ordered(self, values: dict, order: tuple[str, ...]) -> str:
        text = ""
        for name in order:
            value = values.get(name)
            if value is None or value == "":
                continue
            if name in TIME_MEMBERS and isinstance(value, str):
                try:
                    rendered = utc_milliseconds(parse_time(value.strip()))
                except ValueError:
                    rendered = value.strip()
            elif name in ("type", "exception") and isinstance(value, str) and ":" not in value:
                rendered = GS1_VOCABULARY + value.strip()
            elif name == "component" and isinstance(value, str) and ":" not in value:
                rendered = cbv.WEB + "Comp-" + value.strip()
            else:
                rendered = self.scalar(value)
            text += f"{name}={rendered}"
        return text

    def unordered(self, values: dict, known: tuple[str, ...]) -> str:
        items = [
            item
            for name, value in values.items()
            if name not in known
            for item in self.free(name, value)
        ]
        return "".join(sorted(items))

    # Free-form members: ILMD, extensions.

    def free(self, name: str, value: Any) -> list[str]:
        """One "{namespace}name=value" string per value (an array gives one per element), an
        object its sorted members after its name."""
        key = self.expanded_name(name)
        if isinstance(value, list):
            return [item for element in value for item in self.free(name, element)]
        if isinstance(value, dict):
            members = [item for child, inner in value.items() for item in self.free(child, inner)]
            return [key + "".join(sorted(members))]
        text = self.scalar(value)
        return [f"{key}={text}" if text else key]

    def expanded_name(self, name: str) -> str:
        prefix, colon, local = name.partition(":")
        namespace = self.namespaces.get(prefix) if colon else None
        if namespace is None:
            return name
        return "{" + namespace.removesuffix(":") + "}" + local

    # Values.

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | Decimal):
            return number(value)
        if value is None:
            return ""
        return self.value(str(value))

    def value(self, text: str | None) -> str:
        """A value as the pre-hash string has it: CURIEs expanded, CBV URNs as Web URIs,
        numbers without trailing zeros, GS1 identifiers as constrained Digital Links."""
        if text is None:
            return ""
        text = text.strip()
        prefix, colon, local = text.partition(":")
        if colon and prefix in self.namespaces and not local.startswith("//"):
            text = self.namespaces[prefix] + local
        text = cbv.web_uri_of_urn(text)
        if NUMBER.match(text):
            return number(float(text))
        return hash_identifier(text)


def utc_milliseconds(moment: datetime) -> str:
    """UTC at millisecond precision, rounded half up on the fourth decimal."""
    moment = moment.astimezone(UTC)
    rounded = moment.replace(microsecond=0) + timedelta(
        milliseconds=(moment.microsecond + 500) // 1000
    )
    return rounded.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rounded.microsecond // 1000:03d}Z"


def number(value: int | float | Decimal) -> str:
    """A number without trailing zeros, as the reference implementation writes it (through a
    double: 10.000 is 10, 200.50 is 200.5)."""
    as_float = float(value)
    if as_float.is_integer():
        return str(int(as_float))
    return repr(as_float)


def hash_identifier(text: str) -> str:
    """A GS1 identifier as the constrained canonical Digital Link the hash uses (EPC URNs of
    every scheme the reference converts, Digital Links on any domain); others unchanged."""
    lowered = text[:8].lower()
    if lowered.startswith("urn:epc:"):
        return _epc_link(text) or text
    if lowered.startswith(("http://", "https://")) and identifiers.is_gs1_digital_link(text):
        try:
            return identifiers.identity(scan_digital_link.parse(text)) or text
        except ScanError:
            return text
    return text


def _epc_link(urn: str) -> str | None:
    kind, _colon, rest = urn[len("urn:epc:") :].partition(":")
    scheme, _colon, body = rest.partition(":")
    try:
        converted = identifiers.canonical(urn)  # the schemes medtrace traces
    except DomainError:
        return None
    if converted != urn:
        return converted
    converter = EPC_CONVERTERS.get((kind.lower(), scheme.lower()))
    if converter is None:
        return None
    parts = body.split(".")
    try:
        path = converter(parts)
    except (ValueError, IndexError):
        return None
    return f"https://id.gs1.org/{path}" if path else None


def _key(digits: str, length: int) -> str:
    """A GS1 key of `length` digits with its check digit, from the digits before it."""
    if not DIGITS.match(digits) or len(digits) != length - 1:
        raise ValueError(digits)
    return digits + gs1_check_digit(digits)


def _escaped(value: str) -> str:
    return quote(unquote(value), safe="")


def _idpat_sgtin(parts):
    company, reference, rest = parts
    if rest != "*":
        return None
    return "01/" + _key(reference[:1] + company + reference[1:], 14)


EPC_CONVERTERS = {
    ("idpat", "sgtin"): _idpat_sgtin,
    ("id", "gdti"): lambda p: "253/" + _key(p[0] + p[1], 13) + _escaped(".".join(p[2:])),
    ("id", "gsrn"): lambda p: "8018/" + _key(p[0] + p[1], 18),
    ("id", "gsrnp"): lambda p: "8017/" + _key(p[0] + p[1], 18),
    ("id", "giai"): lambda p: "8004/" + p[0] + _escaped(".".join(p[1:])),
    ("id", "grai"): lambda p: "8003/" + _key("0" + p[0] + p[1], 14) + _escaped(".".join(p[2:])),
    ("id", "sgcn"): lambda p: "255/" + _key(p[0] + p[1], 13) + p[2],
    ("id", "gsin"): lambda p: "402/" + _key(p[0] + p[1], 17),
    ("id", "ginc"): lambda p: "401/" + p[0] + _escaped(".".join(p[1:])),
}
