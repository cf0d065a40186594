"""/api/v1/inventory/floor/transfer and /issue: the event and the stock after, refusals with
the named rule and nothing written, a retried key answered the same and moving stock once."""

import uuid
from decimal import Decimal

import pytest

from medtrace.inventory.models import Stock
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/inventory/floor"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def on_hand(obj) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=obj)}


@pytest.fixture
def api(client, clerk_a):
    client.force_login(clerk_a)
    return client


def test_transfer_answers_the_event_and_the_stock_after(api, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    response = post(
        api,
        "/transfer",
        {"site": "A1", "object": "R1", "quantity": "4", "destination": "A-01", "task": "putaway"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    event = TraceEvent.objects.get(event_id=body["event_id"])
    assert event.biz_step.endswith("storing")
    assert body["object"] == lot.identifier
    assert (body["source"], body["destination"]) == ("RCV", "A-01")
    assert {row["location"]: Decimal(row["quantity"]) for row in body["stock"]} == {
        "RCV": Decimal(6),
        "A-01": Decimal(4),
    }


def test_issue_by_label_codes_and_a_retried_key_moves_once(api, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 10)
    body = {
        "site": "A1",
        "object": lot.identifier,
        "quantity": 3,
        "source": "LOC:A1:A-01",
        "destination": "urn:medtrace:location:A1:PRD",
        "key": str(uuid.uuid4()),
    }
    first = post(api, "/issue", body)
    assert first.status_code == 200, first.content
    events = TraceEvent.objects.count()
    again = post(api, "/issue", body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert TraceEvent.objects.count() == events
    assert on_hand(lot) == {"A-01": Decimal(7), "PRD": Decimal(3)}
    assert TraceEvent.objects.get(event_id=first.json()["event_id"]).biz_step.endswith("picking")


def test_issue_of_a_held_lot_is_refused_with_the_reason(api, bins, resin, make_lot, put):
    lot = make_lot(resin, "H1")
    put(lot, bins["A-01"], 10, disposition="non_conformant")
    events = TraceEvent.objects.count()
    response = post(api, "/issue", {"site": "A1", "object": "H1", "destination": "PRD"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_state"
    assert "Lot H1 of PVC-100 has status On hold" in error["message"]
    assert error["details"]["status"] == "on_hold"
    assert TraceEvent.objects.count() == events
    assert on_hand(lot) == {"A-01": Decimal(10)}


def test_several_sources_must_be_named(api, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 1)
    put(lot, bins["A-02"], 2)
    response = post(api, "/transfer", {"site": "A1", "object": "R1", "destination": "STK"})
    assert response.status_code == 409
    assert response.json()["error"]["details"]["locations"] == ["A-01", "A-02"]
    response = post(
        api, "/transfer", {"site": "A1", "object": "R1", "source": "A-02", "destination": "STK"}
    )
    assert response.status_code == 200
    assert on_hand(lot) == {"A-01": Decimal(1), "STK": Decimal(2)}


def test_refusals_name_the_field(api, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 1)
    unknown = post(api, "/transfer", {"site": "A1", "object": "R1", "destination": "NOPE"})
    assert unknown.status_code == 404
    assert "destination" in unknown.json()["error"]["details"]["fields"]
    wrong = post(api, "/issue", {"site": "A1", "object": "R1", "destination": "A-02"})
    assert wrong.status_code == 422
    assert "destination" in wrong.json()["error"]["details"]["fields"]
    too_much = post(
        api, "/transfer", {"site": "A1", "object": "R1", "destination": "A-02", "quantity": 2}
    )
    assert too_much.status_code == 409
    assert too_much.json()["error"]["message"] == "Only 1 KG of lot R1 at A-01; 2 asked."
    issue = post(
        api, "/transfer", {"site": "A1", "object": "R1", "destination": "PRD", "task": "issue"}
    )
    assert issue.status_code == 422
    assert on_hand(lot) == {"A-01": Decimal(1)}


def test_permission_and_site_scope(client, operator_a, qa_b, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 1)
    body = {"site": "A1", "object": "R1", "destination": "A-02"}
    client.force_login(operator_a)
    assert post(client, "/transfer", body).status_code == 404  # no site where they may move
    client.force_login(qa_b)
    assert post(client, "/transfer", body).status_code == 404
    assert on_hand(lot) == {"A-01": Decimal(1)}
