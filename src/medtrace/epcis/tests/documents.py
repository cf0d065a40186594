"""Documents and events for the EPCIS tests."""

import json
from pathlib import Path

from medtrace.epcis.schema import CONTEXT_URL

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> bytes:
    """One of the standard's examples (9.6.1 - 9.6.4), as the bytes GS1 publishes."""
    [path] = EXAMPLES.glob(f"Example_{name}-*.jsonld")
    return path.read_bytes()


def example_json(name: str) -> dict:
    return json.loads(example(name))


def event_document(*events: dict, context: dict | None = None) -> dict:
    return {
        "@context": [CONTEXT_URL, context] if context else [CONTEXT_URL],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-05T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def object_event(**members) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-01-05T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "action": "OBSERVE",
        "bizStep": "shipping",
    }
    event.update(members)
    return {name: value for name, value in event.items() if value is not None}
