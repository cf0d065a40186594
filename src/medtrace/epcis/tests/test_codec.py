"""EPCIS 2.0 JSON read into the model and written back: the standard's examples, the shapes a
document may take, what is refused (all of it at once, nothing read), and the JSON written."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import schema
from medtrace.epcis.codec import event_hash_id, event_to_dict, parse_document, to_document
from medtrace.epcis.model import ErrorDeclaration, Event, QuantityElement, TypedId

from .documents import event_document, example, example_json, object_event

EXAMPLE = {"example": "http://ns.example.com/epcis/"}


def refused(data) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_document(data)
    assert caught.value.code == ErrorCode.VALIDATION
    return caught.value


def paths(error: DomainError) -> list[str]:
    return [entry["path"] for entry in error.details["errors"]]


# The standard's examples (EPCIS 2.0, section 9.6), as published.


def test_example_9_6_1_two_object_events():
    document = parse_document(example("9.6.1"))
    assert document.creation_date == datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC)
    first, second = document.events
    assert first.event_type == "ObjectEvent"
    assert first.event_id.startswith("ni:///sha-256;df7bb3c3")
    assert first.event_time == datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)
    assert first.event_time.utcoffset() == timedelta(hours=-6)
    assert first.event_time_zone_offset == "-06:00"
    assert (first.action, first.biz_step, first.disposition) == (
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert first.epc_list == (
        "https://id.gs1.org/01/10614141073464/21/2017",
        "https://id.gs1.org/01/10614141073464/21/2018",
    )
    assert first.read_point == "https://id.gs1.org/414/0614141073467/254/1234"
    assert first.biz_transactions == (TypedId("po", "http://transaction.acme.com/po/12345678"),)
    assert (first.extensions, first.context) == ({}, {})
    assert second.biz_location == "https://id.gs1.org/414/0012345111112"
    assert second.biz_transactions[1] == TypedId(
        "desadv", "urn:epcglobal:cbv:bt:0614141073467:1152"
    )
    assert second.extensions == {"example:myField": "Example of a vendor/user extension"}
    assert second.context == EXAMPLE


def test_example_9_6_2_quantities_sources_and_destinations():
    [event] = parse_document(example("9.6.2")).events
    assert event.epc_list == ()
    assert event.quantity_list == (
        QuantityElement("https://id.gs1.org/01/04012345123456/10/998877", Decimal(200), "KGM"),
    )
    assert event.sources == (
        TypedId("possessing_party", "https://id.gs1.org/414/4012345000016"),
        TypedId("location", "https://id.gs1.org/414/4012345002256"),
    )
    assert event.destinations[0] == TypedId("owning_party", "https://id.gs1.org/414/0614141000012")
    assert event.read_point == "https://id.gs1.org/414/0614141007776"
    assert event.biz_location == "https://id.gs1.org/414/0614141008889"
    assert event.event_time_zone_offset == "+02:00"


def test_example_9_6_3_aggregation_with_child_quantities():
    [event] = parse_document(example("9.6.3")).events
    assert event.event_type == "AggregationEvent"
    assert event.parent_id == "https://id.gs1.org/00/106141412345678908"
    assert len(event.epc_list) == 2
    assert event.quantity_list == (
        QuantityElement("urn:epc:idpat:sgtin:4012345.098765.*", Decimal(10), None),
        QuantityElement("https://id.gs1.org/01/04012345123456/10/998877", Decimal("200.5"), "KGM"),
    )


def test_example_9_6_4_transformation_with_ilmd():
    [event] = parse_document(example("9.6.4")).events
    assert event.event_type == "TransformationEvent"
    assert event.action is None
    assert event.input_epc_list == (
        "https://id.gs1.org/01/04012345111224/21/25",
        "https://id.gs1.org/01/04000001654321/21/99886655",
    )
    assert [q.quantity for q in event.input_quantity_list] == [10, 30, 220]
    assert event.input_quantity_list[0].uom == "KGM"
    assert event.output_epc_list[-1] == "https://id.gs1.org/01/04012345778892/21/28"
    assert event.ilmd == {"example:bestBeforeDate": "2014-12-10", "example:batch": "XYZ"}
    assert (event.biz_step, event.read_point) == (
        "commissioning",
        "https://id.gs1.org/414/4012345000016",
    )
    assert event.context == EXAMPLE


@pytest.mark.parametrize("name", ["9.6.1", "9.6.2", "9.6.3", "9.6.4"])
def test_examples_round_trip_and_what_is_written_validates(name):
    events = parse_document(example(name)).events
    document = to_document(events)
    assert schema.errors(document) == []
    assert json.loads(json.dumps(document)) == document
    assert parse_document(document).events == events
    assert parse_document(json.dumps(document)).events == events


def test_bytes_text_and_dict_read_alike():
    assert (
        parse_document(example("9.6.3"))
        == parse_document(example("9.6.3").decode())
        == parse_document(example_json("9.6.3"))
    )


# Shapes of input.


def test_a_query_document_carries_its_events_in_the_results_body():
    events = example_json("9.6.1")["epcisBody"]["eventList"]
    query = {
        "@context": example_json("9.6.1")["@context"],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-05T08:00:00Z",
        "epcisBody": {
            "queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": events}}
        },
    }
    assert parse_document(query).events == parse_document(example("9.6.1")).events


def test_a_bare_event_is_a_document_of_one():
    event = object_event(**{"@context": [schema.CONTEXT_URL, EXAMPLE], "example:note": "x"})
    document = parse_document(event)
    [read] = document.events
    assert (read.extensions, read.context) == ({"example:note": "x"}, EXAMPLE)
    assert document.creation_date is None


def test_an_event_without_id_gets_its_hash_id():
    [event] = parse_document(event_document(object_event())).events
    assert event.event_id.startswith("ni:///sha-256;")
    assert event.event_id == event_hash_id(event)


def test_an_event_context_overrides_the_document_context_for_that_event():
    own = {"example": "https://other.example.org/"}
    data = event_document(
        object_event(**{"example:a": "1"}),
        object_event(**{"@context": own, "example:a": "2"}),
        context=EXAMPLE,
    )
    first, second = parse_document(data).events
    assert (first.context, second.context) == (EXAMPLE, own)
    written = to_document([first, second])
    assert written["@context"] == [schema.CONTEXT_URL, EXAMPLE]
    assert written["epcisBody"]["eventList"][1]["@context"] == own
    assert parse_document(written).events == (first, second)


def test_only_prefixes_an_event_uses_are_kept_with_it():
    data = event_document(object_event(), context=EXAMPLE | {"unused": "urn:x:"})
    [event] = parse_document(data).events
    assert event.context == {}


def test_quantities_are_read_exactly_from_text():
    text = json.dumps(
        event_document(
            object_event(
                epcList=None,
                quantityList=[{"epcClass": "urn:example:class:1", "quantity": 0.1}],
            )
        )
    ).replace("0.1", "0.1000000000000000000001")
    [event] = parse_document(text).events
    assert event.quantity_list[0].quantity == Decimal("0.1000000000000000000001")


# Refusals: every problem at once, with its JSON pointer; nothing read.


def test_schema_violations_are_listed_with_their_paths():
    data = event_document(
        object_event(eventTime=5),
        object_event(bizStep="transforming"),
        object_event(**{"foo": "bar", "eventTimeZoneOffset": None}),
    )
    error = refused(data)
    assert paths(error) == [
        "/epcisBody/eventList/0/eventTime",
        "/epcisBody/eventList/1/bizStep",
        "/epcisBody/eventList/2",
        "/epcisBody/eventList/2",
    ]
    messages = " ".join(entry["message"] for entry in error.details["errors"])
    assert "'foo' is not a member" in messages
    assert "'eventTimeZoneOffset' is a required property" in messages
    assert "'transforming'" in messages
    assert "/epcisBody/eventList/0/eventTime" in str(error.message)


def test_times_need_an_offset_and_members_names_must_be_uris():
    error = refused(event_document(object_event(eventTime="2026-01-05T08:00:00")))
    assert paths(error) == ["/epcisBody/eventList/0/eventTime"]
    error = refused(event_document(object_event(ilmd={"lot": "A"}, action="ADD")))
    assert paths(error) == ["/epcisBody/eventList/0/ilmd"]


def test_no_more_than_twenty_errors_are_listed():
    error = refused(event_document(*[object_event(eventTime=n) for n in range(30)]))
    assert len(error.details["errors"]) == schema.MAX_ERRORS


@pytest.mark.parametrize("data", [b"{not json", '{"type": "EPCISDocument",}', "[1, 2]", b"\xff"])
def test_what_is_not_a_json_object_is_refused(data):
    error = refused(data)
    assert paths(error) == [""]


def test_a_bad_check_digit_is_refused_naming_the_identifier():
    bad = "https://id.gs1.org/01/10614141073465/21/2017"
    error = refused(event_document(object_event(), object_event(epcList=[UNIT, bad])))
    assert paths(error) == ["/epcisBody/eventList/1/epcList/1"]
    assert bad in error.details["errors"][0]["message"]


def test_bad_identifiers_are_all_listed():
    data = event_document(
        object_event(epcList=["urn:epc:id:sgtin:0614141.10734.2017"]),
        object_event(
            readPoint={"id": "https://id.gs1.org/414/0614141073468"},
            sourceList=[{"type": "location", "source": "https://id.gs1.org/AQnYUc1gRcsmdm5MOiw"}],
        ),
    )
    assert paths(refused(data)) == [
        "/epcisBody/eventList/0/epcList/0",
        "/epcisBody/eventList/1/readPoint/id",
        "/epcisBody/eventList/1/sourceList/0/source",
    ]


def test_a_compressed_digital_link_is_refused():
    error = refused(
        event_document(object_event(epcList=["https://id.gs1.org/AQnYUc1gRcsmdm5MOiw"]))
    )
    assert "compressed" in error.details["errors"][0]["message"]


def test_two_spellings_of_one_object_in_a_list_are_refused():
    error = refused(
        event_document(object_event(epcList=["urn:epc:id:sgtin:0614141.107346.2017", UNIT]))
    )
    assert paths(error) == ["/epcisBody/eventList/0/epcList/1"]


@pytest.mark.parametrize(
    ("members", "path"),
    [
        ({"type": "https://example.org/SterilisationEvent"}, "/type"),
        ({"readPoint": {"id": "urn:example:rp:1", "example:door": "3"}}, "/readPoint/example:door"),
        (
            {"errorDeclaration": {"declarationTime": "2026-01-06T00:00:00Z", "example:why": "x"}},
            "/errorDeclaration/example:why",
        ),
        ({"certificationInfo": ["urn:example:cert:1", "urn:example:cert:2"]}, "/certificationInfo"),
    ],
)
def test_what_the_model_cannot_hold_is_refused_not_dropped(members, path):
    error = refused(event_document(object_event(**members), context=EXAMPLE))
    assert paths(error) == ["/epcisBody/eventList/0" + path]


# Writing.


UNIT = "https://id.gs1.org/01/10614141073464/21/2017"


def an_event(**fields) -> Event:
    values = {
        "event_type": "ObjectEvent",
        "event_id": "urn:uuid:7c2a4a4e-8a8f-4b53-9a53-2f4f3b3b3b3b",
        "event_time": datetime(2026, 1, 5, 0, 0, tzinfo=UTC),
        "event_time_zone_offset": "+08:00",
        "action": "OBSERVE",
        "epc_list": (UNIT,),
    }
    return Event(**(values | fields))


def test_equal_events_give_equal_dicts():
    ten = an_event(quantity_list=(QuantityElement("urn:example:c", Decimal("10.000"), "KGM"),))
    also_ten = an_event(
        quantity_list=(QuantityElement("urn:example:c", Decimal(10), "KGM"),),
        event_time=datetime(2026, 1, 5, 8, 0, tzinfo=timezone(timedelta(hours=8))),
    )
    assert ten == also_ten
    assert event_to_dict(ten) == event_to_dict(also_ten)
    assert json.dumps(event_to_dict(ten)) == json.dumps(event_to_dict(also_ten))
    assert event_to_dict(ten)["quantityList"] == [
        {"epcClass": "urn:example:c", "quantity": 10, "uom": "KGM"}
    ]
    half = an_event(quantity_list=(QuantityElement("urn:example:c", Decimal("0.50")),))
    assert event_to_dict(half)["quantityList"][0]["quantity"] == 0.5


def test_the_dict_has_no_empty_members_and_times_in_the_event_offset():
    assert event_to_dict(an_event()) == {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:7c2a4a4e-8a8f-4b53-9a53-2f4f3b3b3b3b",
        "eventTime": "2026-01-05T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [UNIT],
        "action": "OBSERVE",
    }


def test_an_object_event_always_says_which_epcs():
    assert event_to_dict(an_event(epc_list=()))["epcList"] == []
    assert "epcList" not in event_to_dict(
        an_event(epc_list=(), quantity_list=(QuantityElement("urn:example:c", Decimal(1)),))
    )


def test_the_dict_is_a_copy():
    event = an_event(ilmd={"cbvmda:lotNumber": "L1"}, action="ADD")
    event_to_dict(event)["ilmd"]["cbvmda:lotNumber"] = "changed"
    assert event.ilmd == {"cbvmda:lotNumber": "L1"}


def test_every_member_is_written_and_read_back():
    event = an_event(
        event_type="TransactionEvent",
        record_time=datetime(2026, 1, 5, 1, 0, 0, 123456, tzinfo=UTC),
        action="ADD",
        biz_step="shipping",
        disposition="in_transit",
        read_point="https://id.gs1.org/414/0614141073467/254/1234",
        biz_location="urn:medtrace:location:S1:DOCK",
        parent_id="https://id.gs1.org/00/106141412345678908",
        quantity_list=(QuantityElement("https://id.gs1.org/01/04012345123456/10/998877", None),),
        biz_transactions=(TypedId("po", "urn:example:po:1"), TypedId("", "urn:example:x:2")),
        sources=(TypedId("owning_party", "https://id.gs1.org/417/4012345002256"),),
        destinations=(TypedId("https://example.org/sdt/carrier", "urn:example:carrier:9"),),
        sensor_element_list=(
            {"sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}]},
        ),
        certification_info="https://example.org/cert/1",
        extensions={"example:note": {"example:deep": [1, "two", True]}},
        context=EXAMPLE,
    )
    declared = an_event(
        action="ADD",
        disposition="recalled",
        persistent_disposition={"set": ["recalled"], "unset": ["conformant"]},
        ilmd={"cbvmda:lotNumber": "L1", "example:sterile": True},
        error_declaration=ErrorDeclaration(
            datetime(2026, 2, 1, tzinfo=UTC), "incorrect_data", ("urn:uuid:next",)
        ),
        context=EXAMPLE,
    )
    document = to_document(
        [event, declared], sender="urn:example:sender", receiver="urn:example:to"
    )
    assert schema.errors(document) == []
    assert document["sender"] == "urn:example:sender"
    read = parse_document(document)
    assert read.events == (event, declared)
    assert (read.sender, read.receiver, read.context) == (
        "urn:example:sender",
        "urn:example:to",
        EXAMPLE,
    )


def test_an_extension_cannot_hide_a_standard_member():
    with pytest.raises(ValueError):
        event_to_dict(an_event(extensions={"action": "ADD"}))


def test_the_document_declares_the_standard_context_once():
    document = to_document([an_event()], context={"cbvmda": "urn:epcglobal:cbv:mda:"})
    assert document["@context"] == [schema.CONTEXT_URL]
    assert document["schemaVersion"] == "2.0"
    assert schema.parse_time(document["creationDate"]).tzinfo is not None
