"""The CBV 2.0 event hash ID: the reference implementation's published hashes, and the same
ID for every way of writing the same event."""

import copy
import json
import random
from pathlib import Path

import pytest

from medtrace.epcis.codec import event_hash_id, event_to_dict, parse_document
from medtrace.epcis.hashing import prehash, utc_milliseconds
from medtrace.epcis.schema import CONTEXT_URL, parse_time

from .documents import event_document, object_event

VECTORS = Path(__file__).parent / "hash_vectors"


def hash_of(event: dict, context: dict | None = None) -> str:
    [read] = parse_document(event_document(event, context=context)).events
    return event_hash_id(read)


# Expected hashes from github.com/RalphTro/epcis-event-hash-generator, tests/examples/expected/
# CBV2.0 (see hash_vectors/README.md).
REFERENCE = [
    (  # TimeStampRoundOff 1: .1415 rounds up; a Digital Link on another domain
        {
            "type": "ObjectEvent",
            "eventTime": "2023-02-02T11:04:03.1415Z",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["https://id.gs1.de/00/040123451111111110"],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": "https://id.gs1.de/414/4012345000115"},
        },
        "af7658e711574363633f20b3dadc7bc4c13c6f612cf96d95e03c421c0e58f3c6",
    ),
    (  # TimeStampRoundOff 2: .1414 rounds down; a read point that is no GS1 key
        {
            "type": "ObjectEvent",
            "eventTime": "2023-02-02T11:04:03.1414Z",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["https://id.gs1.de/00/040123451111111110"],
            "action": "OBSERVE",
            "bizStep": "transporting",
            "readPoint": {"id": "geo:50.947573340894124,6.922120147375441"},
        },
        "0550df44527332c1fe417c5837fe61b9e71eaa93307b88519dac549bf2d4dcf9",
    ),
    (  # TimeStampRoundOff 3: certificationInfo is not hashed; a sensor element
        {
            "type": "ObjectEvent",
            "eventTime": "2023-02-12T11:04:03.1415Z",
            "eventTimeZoneOffset": "+01:00",
            "certificationInfo": "https://accreditation-council.example.org/certificate/ABC12345",
            "epcList": ["https://id.gs1.de/01/04012345999990/21/XYZ-1234"],
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "readPoint": {"id": "https://id.gs1.de/414/4012345000115"},
            "sensorElementList": [
                {
                    "sensorMetadata": {
                        "time": "2023-02-12T11:04:03.1007Z",
                        "bizRules": "https://id.example.com/253/4012345000054987",
                    },
                    "sensorReport": [
                        {
                            "type": "Dimensionless",
                            "exception": "ALARM_CONDITION",
                            "coordinateReferenceSystem": "http://www.opengis.net/def/crs/EPSG/0/27700",
                        }
                    ],
                }
            ],
        },
        "bf052637920f56c28bd6bc4ce10bb296203fcddc543f1e293d5a77b07592dcec",
    ),
    (  # ShippingAndTransporting 1: EPCIS 1.x URNs throughout, typed lists
        {
            "type": "ObjectEvent",
            "eventTime": "2022-02-16T12:50:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:4012345.1112223334"],
            "action": "OBSERVE",
            "bizStep": "urn:epcglobal:cbv:bizstep:departing",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00022.0"},
            "bizTransactionList": [
                {
                    "type": "urn:epcglobal:cbv:btt:desadv",
                    "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:ASN1099",
                }
            ],
            "sourceList": [
                {
                    "type": "urn:epcglobal:cbv:sdt:possessing_party",
                    "source": "urn:epc:id:pgln:4012345.00000",
                }
            ],
            "destinationList": [
                {
                    "type": "urn:epcglobal:cbv:sdt:possessing_party",
                    "destination": "urn:epc:id:pgln:4023333.00000",
                }
            ],
        },
        "2919bf0587534fef0e25eea97b5dda68f345e6bbf2c6b4cb27b2a52e0039272b",
    ),
    (  # ShippingAndTransporting 2
        {
            "type": "ObjectEvent",
            "eventTime": "2022-02-16T16:50:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:4012345.1112223334"],
            "action": "OBSERVE",
            "bizStep": "urn:epcglobal:cbv:bizstep:transporting",
            "readPoint": {"id": "geo:47.506694,11.104301"},
        },
        "1d2ec4174d8f0b5988a44795b31a636e8bc7f88ebc4bdc0d35c14f215a842e80",
    ),
    (  # XMLstartTagAndErrorDeclaration: eventID and errorDeclaration are not hashed; an EPC
        # pattern becomes its GTIN; 452.0 is 452
        {
            "type": "TransformationEvent",
            "eventTime": "2020-01-14T00:00:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "eventID": "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
            "inputEPCList": ["urn:epc:id:sgtin:4012345.011111.987"],
            "outputEPCList": ["urn:epc:id:sgtin:4012345.033333.AGHFG"],
            "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.022222.87545GHGH"}],
            "outputQuantityList": [
                {
                    "epcClass": "urn:epc:idpat:sgtin:4012345.044444.*",
                    "quantity": 452.0,
                    "uom": "KGM",
                }
            ],
            "bizStep": "commissioning",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00000.0"},
            "errorDeclaration": {
                "declarationTime": "2020-01-15T00:00:00.000+01:00",
                "reason": "incorrect_data",
            },
        },
        "e16ce101f3d7383612e00b74419b2d88f12baa6a124b0e390252d396687d5cf7",
    ),
    (  # ReferenceEventHashAlgorithm2: sensor reports sorted, an EPC of a GIAI
        {
            "type": "ObjectEvent",
            "eventTime": "2020-04-01T15:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"],
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00005.0"},
            "sensorElementList": [
                {
                    "sensorMetadata": {
                        "deviceID": "urn:epc:id:giai:4000001.111",
                        "deviceMetadata": "https://id.gs1.org/8004/4000001111",
                    },
                    "sensorReport": [
                        {"type": "Temperature", "value": 26, "sDev": 0.1, "uom": "CEL"},
                        {"type": "AbsoluteHumidity", "value": 12.1, "uom": "A93"},
                        {
                            "type": "Dimensionless",
                            "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
                            "value": 0.05,
                            "uom": "C35",
                        },
                        {
                            "type": "Dimensionless",
                            "chemicalSubstance": (
                                "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"
                            ),
                            "value": 0.18,
                            "uom": "C35",
                        },
                    ],
                }
            ],
        },
        "271565c346ae2fb28c4583c4dca4ab4772d465eb4e0b6e548d77d8b49377d95c",
    ),
]


@pytest.mark.parametrize(("event", "digest"), REFERENCE)
def test_the_reference_implementations_hashes(event, digest):
    assert hash_of(event) == f"ni:///sha-256;{digest}?ver=CBV2.0"


def test_the_reference_event_with_every_member():
    """Every field, ILMD, nested extensions in three namespaces, sensor extensions."""
    data = (VECTORS / "ObjectEvent_all_possible_fields.json").read_bytes()
    [event] = parse_document(data).events
    assert event_hash_id(event) == (
        "ni:///sha-256;9811bfb2672e9c3a0f6151be339d22b60db375c8b23d2740f6137cc6539f0639?ver=CBV2.0"
    )


def test_the_pre_hash_string_of_a_simple_event():
    event = REFERENCE[3][0]
    [read] = parse_document(event_document(event)).events
    assert prehash(read) == (
        "eventType=ObjectEventeventTime=2022-02-16T11:50:00.000ZeventTimeZoneOffset=+01:00"
        "epcListepc=https://id.gs1.org/00/140123451122233341action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-departing"
        "readPointid=https://id.gs1.org/414/4012345000221"
        "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-desadv"
        "bizTransaction=urn:epcglobal:cbv:bt:4012345000009:ASN1099"
        "sourceListtype=https://ref.gs1.org/cbv/SDT-possessing_party"
        "source=https://id.gs1.org/417/4012345000009"
        "destinationListtype=https://ref.gs1.org/cbv/SDT-possessing_party"
        "destination=https://id.gs1.org/417/4023333000000"
    )


# One event, many spellings.

RICH = object_event(
    epcList=[
        "urn:epc:id:sgtin:0614141.107346.2017",
        "urn:epc:id:sgtin:0614141.107346.2018",
        "https://id.gs1.org/00/106141412345678908",
    ],
    action="ADD",
    bizStep="commissioning",
    disposition="active",
    readPoint={"id": "urn:epc:id:sgln:0614141.07346.1234"},
    bizTransactionList=[
        {"type": "po", "bizTransaction": "urn:example:po:1"},
        {"type": "desadv", "bizTransaction": "urn:example:asn:7"},
    ],
    sourceList=[
        {"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00225"},
        {"type": "location", "source": "urn:epc:id:sgln:4012345.00225.0"},
    ],
    quantityList=[
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 10, "uom": "EA"},
        {"epcClass": "urn:medtrace:lot:ITEM-1:L2", "quantity": 2.5},
    ],
    ilmd={"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2027-12-31", "ex:n": [3, 1]},
    **{"ex:note": {"ex:b": "2", "ex:a": ["y", "x"]}, "ex:flag": True},
)
CONTEXT = {"ex": "https://ns.example.org/epcis/"}


def test_the_id_is_deterministic():
    assert hash_of(RICH, CONTEXT) == hash_of(copy.deepcopy(RICH), CONTEXT)
    [event] = parse_document(event_document(RICH, context=CONTEXT)).events
    assert event_hash_id(event) == event_hash_id(event_to_dict(event) | {"@context": CONTEXT})


def reordered(value, rng: random.Random):
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {name: reordered(inner, rng) for name, inner in items}
    if isinstance(value, list):
        items = [reordered(item, rng) for item in value]
        rng.shuffle(items)
        return items
    return value


@pytest.mark.parametrize("seed", range(5))
def test_member_and_list_order_do_not_matter(seed):
    assert hash_of(reordered(RICH, random.Random(seed)), CONTEXT) == hash_of(RICH, CONTEXT)


def test_the_prefix_name_does_not_matter_only_its_namespace():
    renamed = json.loads(json.dumps(RICH).replace('"ex:', '"other:'))
    assert hash_of(renamed, {"other": CONTEXT["ex"]}) == hash_of(RICH, CONTEXT)
    assert hash_of(renamed, {"other": "https://elsewhere.example/"}) != hash_of(RICH, CONTEXT)


@pytest.mark.parametrize(
    "members",
    [
        {
            "epcList": [
                "https://id.gs1.org/01/10614141073464/21/2017",
                "https://brand.example.com/01/10614141073464/10/L9/21/2018?17=271231",
                "urn:epc:id:sscc:0614141.1234567890",
            ]
        },
        {"bizStep": "urn:epcglobal:cbv:bizstep:commissioning"},
        {"bizStep": "https://ref.gs1.org/cbv/BizStep-commissioning"},
        {"disposition": "urn:epcglobal:cbv:disp:active"},
        {"readPoint": {"id": "https://id.gs1.org/414/0614141073467/254/1234"}},
        {"eventTime": "2026-01-05T00:00:00Z"},  # the same instant
        {"eventTime": "2026-01-05T08:00:00.0004+08:00"},  # below a millisecond
        {"eventID": "urn:uuid:11111111-2222-3333-4444-555555555555"},
        {"recordTime": "2026-02-01T00:00:00Z"},
        {"certificationInfo": "https://example.org/certificate/1"},
        {
            "errorDeclaration": {
                "declarationTime": "2026-02-01T00:00:00Z",
                "reason": "did_not_occur",
            }
        },
    ],
)
def test_other_spellings_and_unhashed_members_give_the_same_id(members):
    assert hash_of(RICH | members, CONTEXT) == hash_of(RICH, CONTEXT)


@pytest.mark.parametrize(
    "members",
    [
        {"disposition": "in_progress"},
        {"bizStep": "receiving"},
        {"eventTime": "2026-01-05T08:00:00.001+08:00"},
        {"eventTimeZoneOffset": "+09:00"},
        {"epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]},
        {"ilmd": {"cbvmda:lotNumber": "L2"}},
        {"ex:flag": False},
        {"sourceList": [{"type": "possessing_party", "source": "urn:epc:id:pgln:4012345.00225"}]},
    ],
)
def test_any_change_of_content_changes_the_id(members):
    assert hash_of(RICH | members, CONTEXT) != hash_of(RICH, CONTEXT)


def test_times_are_utc_milliseconds_rounded_half_up():
    assert utc_milliseconds(parse_time("2023-02-02T12:04:03.1415+01:00")) == (
        "2023-02-02T11:04:03.142Z"
    )
    assert utc_milliseconds(parse_time("2023-12-31T23:59:59.9996Z")) == "2024-01-01T00:00:00.000Z"
    assert utc_milliseconds(parse_time("2023-01-01T00:00:00Z")) == "2023-01-01T00:00:00.000Z"


def test_a_bare_event_dict_is_hashed_like_the_event():
    bare = RICH | {"@context": [CONTEXT_URL, CONTEXT]}
    assert event_hash_id(bare) == hash_of(RICH, CONTEXT)
