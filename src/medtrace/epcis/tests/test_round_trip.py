"""Any event of the model, written as an EPCISDocument and read back, is the same event; the
document written validates against GS1's schema."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.epcis import schema
from medtrace.epcis.codec import (
    event_from_dict,
    event_hash_id,
    event_to_dict,
    parse_document,
    to_document,
)
from medtrace.epcis.model import ErrorDeclaration, Event, QuantityElement, TypedId
from medtrace.scan.checks import gs1_check_digit
from medtrace.scan.result import digital_link

NAMESPACE = {"ex": "https://ns.example.org/epcis/"}


def keyed(body: str) -> str:
    return body + gs1_check_digit(body)


GTINS = [keyed(body) for body in ("0950600013435", "1061414107346", "0401234501234")]
SERIALS = st.text(alphabet="ABCXYZabc0189-._/%", min_size=1, max_size=12)
# Canonical Digital Links, as the codec writes them (serials and lots percent-encoded).
UNITS = st.builds(lambda g, s: digital_link({"01": g, "21": s}), st.sampled_from(GTINS), SERIALS)
LOTS = st.builds(lambda g, s: digital_link({"01": g, "10": s}), st.sampled_from(GTINS), SERIALS)
SSCCS = st.integers(0, 10**9).map(lambda n: "https://id.gs1.org/00/" + keyed(f"0950600{n:010d}"))
INTERNAL = st.builds(
    lambda kind, code: f"urn:medtrace:{kind}:ITEM-1:{code}",
    st.sampled_from(["lot", "unit"]),
    st.text(alphabet="ABC123", min_size=1, max_size=6),
)
OBJECTS = st.one_of(UNITS, LOTS, SSCCS, INTERNAL)
CLASSES = st.one_of(
    LOTS,
    st.sampled_from([f"https://id.gs1.org/01/{GTINS[0]}", "urn:epc:idpat:sgtin:4012345.098765.*"]),
    INTERNAL,
)
GLNS = [keyed(body) for body in ("950600000001", "061414107346", "401234500022")]
LOCATIONS = st.one_of(
    st.sampled_from([f"https://id.gs1.org/414/{gln}" for gln in GLNS]),
    st.just(f"https://id.gs1.org/414/{GLNS[1]}/254/1234"),
    st.just("urn:medtrace:location:S1:DOCK"),
    st.just("geo:31.2304,121.4737"),
)
PARTIES = st.one_of(
    st.sampled_from([f"https://id.gs1.org/417/{gln}" for gln in GLNS]),
    st.just("urn:medtrace:party:customer:H-01"),
)
OFFSETS = st.builds(
    lambda hours, minutes: f"{'-' if hours < 0 else '+'}{abs(hours):02d}:{minutes:02d}",
    st.integers(-12, 13),
    st.sampled_from([0, 30, 45]),
) | st.just("+14:00")
TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
QUANTITIES = st.builds(
    QuantityElement,
    epc_class=CLASSES,
    quantity=st.none()
    | st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    uom=st.sampled_from([None, "KGM", "EA", "MTR"]),
)
BIZ_STEPS = st.sampled_from(
    [None, "shipping", "receiving", "commissioning", "https://example.org/bizstep/sterilising"]
)
DISPOSITIONS = st.sampled_from([None, "in_progress", "active", "recalled", "non_conformant"])
TRANSACTIONS = st.lists(
    st.builds(
        TypedId,
        st.sampled_from(["po", "desadv", "rma", "", "https://example.org/btt/contract"]),
        st.sampled_from(["urn:example:po:4711", "urn:epcglobal:cbv:bt:0614141073467:1152"]),
    ),
    max_size=2,
)
PARTY_LISTS = st.lists(
    st.builds(TypedId, st.sampled_from(["owning_party", "possessing_party", "location"]), PARTIES),
    max_size=2,
)
# Text the importer keeps: NUL is refused by design (epcis.guards: PostgreSQL cannot store it).
STORABLE = st.characters(exclude_characters="\x00")
ILMD = st.dictionaries(
    st.sampled_from(["cbvmda:lotNumber", "cbvmda:itemExpirationDate", "ex:sterile"]),
    st.one_of(st.text(STORABLE, max_size=8), st.integers(-5, 5), st.booleans()),
    max_size=3,
)
EXTENSIONS = st.dictionaries(
    st.sampled_from(["ex:note", "ex:batchRecord", "https://ns.example.org/epcis/uri"]),
    st.one_of(
        st.text(STORABLE, max_size=8),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.lists(st.integers(0, 9), max_size=3),
        st.fixed_dictionaries({"ex:inner": st.text(STORABLE, max_size=4)}),
    ),
    max_size=2,
)
ERRORS = st.none() | st.builds(
    ErrorDeclaration,
    declaration_time=TIMES,
    reason=st.sampled_from([None, "incorrect_data", "did_not_occur"]),
    corrective_event_ids=st.lists(st.uuids().map(lambda u: f"urn:uuid:{u}"), max_size=2).map(tuple),
)


@st.composite
def events(draw) -> Event:
    event_type = draw(st.sampled_from(["ObjectEvent", "AggregationEvent", "TransformationEvent",
                                       "AssociationEvent", "TransactionEvent"]))  # fmt: skip
    offset = draw(OFFSETS)
    fields = {
        "event_type": event_type,
        "event_id": f"urn:uuid:{draw(st.uuids())}",
        "event_time": draw(TIMES).astimezone(_zone(offset)),
        "event_time_zone_offset": offset,
        "record_time": draw(st.none() | TIMES),
        "biz_step": draw(BIZ_STEPS),
        "disposition": draw(DISPOSITIONS),
        "read_point": draw(st.none() | LOCATIONS),
        "biz_location": draw(st.none() | LOCATIONS),
        "biz_transactions": tuple(draw(TRANSACTIONS)),
        "sources": tuple(draw(PARTY_LISTS)),
        "destinations": tuple(draw(PARTY_LISTS)),
        "certification_info": draw(st.sampled_from([None, "https://example.org/cert/ISO13485"])),
        "error_declaration": draw(ERRORS),
        "extensions": draw(EXTENSIONS),
    }
    members = st.lists(OBJECTS, unique=True, max_size=3).map(tuple)
    quantities = st.lists(QUANTITIES, max_size=2).map(tuple)
    if event_type == "TransformationEvent":
        fields["input_epc_list"] = draw(members)
        fields["input_quantity_list"] = draw(quantities)
        fields["output_epc_list"] = draw(members)
        fields["output_quantity_list"] = draw(quantities)
        fields["transformation_id"] = draw(st.sampled_from([None, "urn:example:tx:1"]))
        # Inputs and outputs, or one of them and a transformation ID.
        for side in ("input", "output"):
            empty = not (fields[f"{side}_epc_list"] or fields[f"{side}_quantity_list"])
            if empty and (side == "output" or not fields["transformation_id"]):
                fields[f"{side}_epc_list"] = (draw(OBJECTS),)
    else:
        fields["action"] = draw(st.sampled_from(["ADD", "OBSERVE", "DELETE"]))
        fields["epc_list"] = draw(members)
        fields["quantity_list"] = draw(quantities)
        if event_type in ("AggregationEvent", "AssociationEvent"):
            fields["parent_id"] = draw(SSCCS)
            if not fields["epc_list"] and not fields["quantity_list"]:
                fields["epc_list"] = (draw(OBJECTS),)
        if event_type == "TransactionEvent":
            fields["parent_id"] = draw(st.none() | SSCCS)
            if not fields["biz_transactions"]:
                fields["biz_transactions"] = (TypedId("po", "urn:example:po:1"),)
    if event_type == "TransformationEvent" or (
        event_type == "ObjectEvent" and fields["action"] == "ADD"
    ):
        fields["ilmd"] = draw(ILMD)
    if event_type in ("ObjectEvent", "TransformationEvent"):
        changes = draw(st.lists(st.sampled_from(["recalled", "conformant"]), unique=True))
        unset = draw(st.lists(st.sampled_from(["active", "expired"]), unique=True))
        if changes or unset:
            fields["persistent_disposition"] = {"set": changes, "unset": unset}
    if event_type != "TransformationEvent" and draw(st.booleans()):
        fields["sensor_element_list"] = (
            {"sensorReport": [{"type": "Temperature", "value": draw(st.integers(-30, 40)),
                               "uom": "CEL"}]},
        )  # fmt: skip
    if '"ex:' in json.dumps([fields["extensions"], fields.get("ilmd", {})]):
        fields["context"] = NAMESPACE  # the event carries the prefixes its members use
    return Event(**fields)


def _zone(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=3))
def test_write_then_read_gives_the_same_events(written):
    document = to_document(written)
    assert schema.errors(document) == []
    assert parse_document(document).events == tuple(written)
    text = json.dumps(document)
    assert parse_document(text).events == tuple(written)


@settings(max_examples=50, deadline=None)
@given(events())
def test_the_dict_and_the_hash_do_not_depend_on_how_the_event_was_made(event):
    [read] = parse_document(to_document([event])).events
    assert event_to_dict(read) == event_to_dict(event)
    stored = json.loads(json.dumps(event_to_dict(event)))  # as a JSON column keeps it
    assert event_from_dict(stored) == event
    assert event_hash_id(read) == event_hash_id(event)
    assert hash(read) == hash(event)


def test_decimals_of_different_exponents_are_one_quantity():
    assert QuantityElement("urn:x:c", Decimal("10.000")) == QuantityElement("urn:x:c", Decimal(10))
