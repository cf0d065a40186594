"""/api/v1/epcis (capture and query after GS1's REST binding) and /api/v1/trace (the trace
contract): the same services as the CLI, the shared error body, permissions and site scope."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest

from medtrace.accounts.services import create_api_token
from medtrace.epcis import codec
from medtrace.trace.models import TraceEvent
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events
from medtrace.trace.tests.test_capture import example

pytestmark = pytest.mark.django_db


def capture(client, body, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(
        f"/api/v1/epcis/capture?{query}",
        body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/ld+json",
    )


@pytest.fixture
def plant(client, qa_a, site_a):
    client.force_login(qa_a)
    built = corpus.build()
    events, declarations = corpus_events(built.facts)
    response = capture(client, codec.to_document(events + declarations), create_missing="true")
    assert response.status_code == 202, response.content
    return built


def event_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["type"] == "EPCISQueryDocument"
    codec.parse_document(document)  # the answer validates against GS1's schema
    return [e["eventID"] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def test_capture_answers_each_event_and_is_idempotent(client, qa_a, site_a):
    client.force_login(qa_a)
    body = example("Example_9.6.1-ObjectEvent.jsonld")
    first = capture(client, body, create_missing="true")
    assert first.status_code == 202
    assert first.json()["new"] == 2 and all(r["recorded"] for r in first.json()["results"])
    again = capture(client, body)
    assert again.json()["new"] == 0 and again.json()["already_recorded"] == 2
    assert TraceEvent.objects.count() == 2


def test_capture_refuses_an_invalid_document_with_the_field(client, qa_a, site_a):
    client.force_login(qa_a)
    document = json.loads(example("Example_9.6.2-ObjectEvent.jsonld"))
    document["epcisBody"]["eventList"][0]["action"] = "MOVE"
    response = capture(client, document, create_missing="true")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(e["path"].startswith("/epcisBody/eventList/0") for e in error["details"]["errors"])
    assert not TraceEvent.objects.exists()


def test_capture_needs_the_permission_at_the_site(client, operator_a, qa_b, site_a, site_b):
    client.force_login(operator_a)
    response = capture(client, example("Example_9.6.1-ObjectEvent.jsonld"))
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    client.force_login(qa_b)
    response = capture(client, example("Example_9.6.1-ObjectEvent.jsonld"), site="A1")
    assert response.status_code == 403
    assert not TraceEvent.objects.exists()


def test_a_read_only_token_cannot_capture(client, qa_a, site_a):
    _token, plaintext = create_api_token(
        user=qa_a, name="ro", sites=[site_a], can_write=False, expires_in_days=5, by=qa_a
    )
    response = client.post(
        "/api/v1/epcis/capture",
        example("Example_9.6.1-ObjectEvent.jsonld"),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only"


def test_query_by_business_step_time_and_identifier(client, plant):
    shipping = event_ids(client.get("/api/v1/epcis/events?EQ_bizStep=shipping&perPage=100"))
    live_shipments = [f for f in plant.facts if f.kind == "ship"]
    # the declared-erroneous shipment appears twice: the event and its declaration
    assert len(shipping) == len(live_shipments) + 1
    urn_form = client.get(
        "/api/v1/epcis/events?EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping&perPage=100"
    )
    assert event_ids(urn_form) == shipping

    pallet = corpus.sscc_id(50)
    touching = event_ids(client.get(f"/api/v1/epcis/events?MATCH_anyEPC={quote(pallet)}"))
    packed_or_shipped = [f.event_id for f in plant.facts if pallet in (f.parent, *f.objects)]
    assert touching == packed_or_shipped

    later = plant.facts[-3].time.isoformat()
    recent = event_ids(client.get(f"/api/v1/epcis/events?GE_eventTime={quote(later)}"))
    assert set(recent) >= {f.event_id for f in plant.facts[-3:]}
    assert plant.facts[0].event_id not in recent


def test_match_epc_class_finds_lot_level_events_and_gtin_patterns(client, plant):
    raw = corpus.lot_id(corpus.RAW_GTIN, "R0")
    by_lot = event_ids(client.get(f"/api/v1/epcis/events?MATCH_anyEPCClass={quote(raw)}"))
    expected = [f.event_id for f in plant.facts if raw in (*f.objects, *f.inputs, *f.outputs)]
    assert by_lot == expected
    gtin_only = quote(f"https://id.gs1.org/01/{corpus.RAW_GTIN}")
    by_gtin = event_ids(
        client.get(f"/api/v1/epcis/events?MATCH_anyEPCClass={gtin_only}&perPage=500")
    )
    assert set(by_lot) < set(by_gtin)
    assert event_ids(client.get(f"/api/v1/epcis/events?MATCH_epc={quote(raw)}")) == []


def test_pages_follow_the_link_header(client, plant):
    def page(response):
        event_ids(response)  # checks the document
        listed = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        return [(e["eventID"], "errorDeclaration" in e) for e in listed]

    response = client.get("/api/v1/epcis/events?perPage=10")
    seen = page(response)
    while "Link" in response:
        url = response["Link"].split(";")[0].strip("<>")
        response = client.get(url)
        seen += page(response)
    assert len(seen) == len(set(seen)) == TraceEvent.objects.count()


def test_events_of_one_epc(client, plant):
    unit = next(iter(plant.unit_lot))
    found = event_ids(client.get(f"/api/v1/epcis/epcs/{quote(unit, safe='')}/events"))
    commissioned = [f.event_id for f in plant.facts if unit in f.objects + f.outputs]
    assert set(commissioned) <= set(found)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("EQ_bizstep=shipping", "EQ_bizstep"),
        ("GE_eventTime=yesterday", "GE_eventTime"),
        ("perPage=0", "perPage"),
        ("nextPageToken=forged", "nextPageToken"),
        ("MATCH_epc=urn:epc:id:sgtin:0614141.10734.2017", "MATCH_epc"),
    ],
)
def test_bad_query_parameters_are_refused_by_name(client, qa_a, site_a, query, parameter):
    client.force_login(qa_a)
    response = client.get(f"/api/v1/epcis/events?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["details"]["parameter"] == parameter


def test_trace_contract_forward_from_a_scan(client, plant):
    raw = corpus.lot_id(corpus.RAW_GTIN, "R4")
    scanned = quote(f"(01){corpus.RAW_GTIN}(10)R4")
    response = client.get(f"/api/v1/trace/forward?id={scanned}")
    assert response.status_code == 200, response.content
    data = response.json()
    oracle = corpus.Oracle(plant).forward(raw)
    assert data["root"]["id"] == raw and data["root"]["kind"] == "lot"
    assert {lot["id"] for lot in data["lots"]} == oracle["lots"]
    assert {unit["id"] for unit in data["units"]} == oracle["units"]
    assert set(data["destinations"]) == oracle["parties"]
    assert data["sources"] == [] and data["elapsed_ms"] >= 0
    assert all(s["parties"] for s in data["shipments"])


def test_trace_contract_backward_from_an_epc_urn(client, plant):
    unit = sorted(plant.unit_lot)[0]
    serial = unit.rsplit("/", 1)[1]
    company, reference = corpus.FIN_GTIN[1:8], corpus.FIN_GTIN[0] + corpus.FIN_GTIN[8:13]
    urn = f"urn:epc:id:sgtin:{company}.{reference}.{serial}"
    data = client.get(f"/api/v1/trace/backward?id={quote(urn)}").json()
    oracle = corpus.Oracle(plant).backward(unit)
    assert data["root"]["id"] == unit
    assert {lot["id"] for lot in data["lots"]} == oracle["lots"]
    assert set(data["sources"]) == oracle["parties"]


def test_trace_of_an_unknown_code_is_404(client, plant):
    response = client.get("/api/v1/trace/forward?id=NOPE")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_another_organization_sees_nothing(client, plant, stranger):
    client.force_login(stranger)
    assert event_ids(client.get("/api/v1/epcis/events")) == []
    raw = quote(corpus.lot_id(corpus.RAW_GTIN, "R4"))
    assert client.get(f"/api/v1/trace/forward?id={raw}").status_code == 404


def test_trace_as_of_and_counts_by_status(client, plant):
    raw = corpus.lot_id(corpus.RAW_GTIN, "R4")
    now = client.get(f"/api/v1/trace/forward?id={quote(raw)}").json()
    assert sum(now["by_status"]["units"].values()) == len(now["units"])
    assert now["by_status"]["units"].get("in_transit", 0) >= 1  # shipped units
    first_shipment = min(f.time for f in plant.facts if f.kind == "ship")
    before = quote((first_shipment - timedelta(minutes=1)).isoformat())
    earlier = client.get(f"/api/v1/trace/forward?id={quote(raw)}&as_of={before}").json()
    assert earlier["destinations"] == [] and earlier["shipments"] == []
    assert earlier["as_of"] is not None
    assert {u["id"] for u in earlier["units"]} <= {u["id"] for u in now["units"]}


def test_query_order_newest_first(client, plant):
    ascending = event_ids(client.get("/api/v1/epcis/events?EQ_bizStep=shipping&perPage=100"))
    descending = event_ids(
        client.get(
            "/api/v1/epcis/events?EQ_bizStep=shipping&orderBy=eventTime&orderDirection=DESC"
            "&perPage=100"
        )
    )
    assert descending == ascending[::-1]
    assert client.get("/api/v1/epcis/events?orderBy=bizStep").status_code == 422
