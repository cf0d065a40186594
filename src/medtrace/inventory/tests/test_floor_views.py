"""The floor's scan screens: put away, transfer and issue by scan; refusals in red with the
rule's reason and nothing written; a resent scan (same key) answered like the first and
moving stock once; the dialogue kept per task in the session."""

import html
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from medtrace.accounts.roles import Role
from medtrace.epcis.model import Event
from medtrace.inventory.models import Stock
from medtrace.trace.models import TraceEvent
from medtrace.trace.services import objects as trace_objects
from medtrace.trace.services.recording import record_event

pytestmark = pytest.mark.django_db


def scan(client, task, code, *, key=None, **fields):
    data = {"code": code, "key": key or str(uuid.uuid4()), **fields}
    response = client.post(
        reverse("inventory:floor-scan", args=[task]), data, headers={"X-Scan-Station": "1"}
    )
    assert response.status_code == 200
    return response


def ok(response) -> bool:
    return 'data-ok="true"' in response.content.decode()


def text(response) -> str:
    return html.unescape(response.content.decode())


def on_hand(obj) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=obj)}


@pytest.fixture
def signed_in(client, clerk_a):
    client.force_login(clerk_a)
    return client


def test_floor_page_offers_the_tasks_and_the_station_page_loads(signed_in, bins):
    home = signed_in.get(reverse("inventory:floor-home"))
    assert home.status_code == 200
    for task in ("putaway", "transfer", "issue"):
        assert reverse("inventory:floor-station", args=[task]) in home.content.decode()
    # A clerk also receives and picks, on their apps' scan screens.
    assert reverse("purchasing:expected") in home.content.decode()
    assert reverse("shipping:order-list") in home.content.decode()
    page = signed_in.get(reverse("inventory:floor-station", args=["putaway"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "data-scan-station" in body and "medtrace/scanstation.js" in body
    assert 'name="quantity"' in body and "<script>" not in body  # no inline script (CSP)
    assert signed_in.get(reverse("inventory:floor-station", args=["nope"])).status_code == 404


def test_an_operator_sees_only_production_on_the_floor(client, operator_a, bins, make_user, site_a):
    client.force_login(operator_a)
    home = client.get(reverse("inventory:floor-home"))  # only production's task
    assert home.status_code == 200
    assert reverse("production:floor") in home.content.decode()
    assert reverse("inventory:floor-station", args=["putaway"]) not in home.content.decode()
    assert client.get(reverse("inventory:floor-station", args=["putaway"])).status_code == 403
    response = client.post(reverse("inventory:floor-scan", args=["transfer"]), {"code": "X"})
    assert response.status_code == 403
    client.force_login(make_user("auditor-a", (site_a, Role.AUDITOR)))  # no floor task at all
    assert client.get(reverse("inventory:floor-home")).status_code == 403


def test_putaway_scan_lot_quantity_then_destination(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], "250.5")
    first = scan(signed_in, "putaway", "R1")
    assert ok(first)
    assert "Lot R1 of PVC-100 at RCV (250.5 KG)" in text(first)
    assert "HX-Trigger" in first
    done = scan(signed_in, "putaway", "LOC:A1:A-01", quantity="200")
    assert ok(done), text(done)
    assert "Moved 200 KG from RCV to A-01." in text(done)
    assert 'data-complete="true"' in text(done)
    assert json.loads(done["HX-Trigger"]) == {"floor-moved": {"ok": True}}
    assert on_hand(lot) == {"RCV": Decimal("50.5"), "A-01": Decimal(200)}
    event = TraceEvent.objects.order_by("-pk").first()
    assert event.biz_step.endswith("storing")
    # The dialogue is over: a location alone asks for the lot first.
    again = scan(signed_in, "putaway", "LOC:A1:A-02")
    assert not ok(again)
    assert "scan the lot, unit or case first" in text(again)


def test_the_full_urn_reads_like_the_label(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    scan(signed_in, "transfer", "R1")
    assert ok(scan(signed_in, "transfer", "urn:medtrace:location:A1:A-02"))
    assert on_hand(lot) == {"A-02": Decimal(10)}


def test_when_several_locations_hold_it_the_clerk_scans_the_one_it_leaves(
    signed_in, bins, resin, make_lot, put
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 5)
    put(lot, bins["A-02"], 7)
    asked = scan(signed_in, "transfer", "R1")
    assert ok(asked)
    assert "A-01 (5 KG), A-02 (7 KG)" in text(asked)
    assert "Scan the location you take it from." in text(asked)
    wrong = scan(signed_in, "transfer", "LOC:A1:STK")
    assert not ok(wrong) and "STK holds none of Lot R1 of PVC-100." in text(wrong)
    assert ok(scan(signed_in, "transfer", "LOC:A1:A-02"))
    assert ok(scan(signed_in, "transfer", "LOC:A1:STK"))
    assert on_hand(lot) == {"A-01": Decimal(5), "STK": Decimal(7)}


def test_issue_refuses_a_held_lot_in_red_with_the_reason_and_writes_nothing(
    signed_in, bins, resin, make_lot, put
):
    lot = make_lot(resin, "H1")
    put(lot, bins["A-01"], 10, disposition="non_conformant")
    events = TraceEvent.objects.count()
    refused = scan(signed_in, "issue", "H1")
    assert not ok(refused)
    assert "Lot H1 of PVC-100 has status On hold" in text(refused)
    assert "it cannot be issued." in text(refused)
    assert TraceEvent.objects.count() == events
    assert on_hand(lot) == {"A-01": Decimal(10)}


def test_putaway_refuses_quarantined_goods(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "Q1")
    put(lot, bins["RCV"], 10, disposition="in_progress")
    refused = scan(signed_in, "putaway", "Q1")
    assert not ok(refused)
    assert "has status Quarantine" in text(refused) and "cannot be put away" in text(refused)
    # A transfer to the quarantine cage is allowed.
    assert ok(scan(signed_in, "transfer", "Q1"))
    assert ok(scan(signed_in, "transfer", "LOC:A1:QUA"))
    assert on_hand(lot) == {"QUA": Decimal(10)}


def test_issue_goes_to_a_production_location_only(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 10)
    assert ok(scan(signed_in, "issue", "R1"))
    wrong = scan(signed_in, "issue", "LOC:A1:A-02", quantity="4")
    assert not ok(wrong)
    assert "A-02 is a Stock location; Issue to production goes to a Production location." in text(
        wrong
    )
    assert on_hand(lot) == {"A-01": Decimal(10)}
    # The lot stays scanned: the right destination completes the issue.
    done = scan(signed_in, "issue", "LOC:A1:PRD", quantity="4")
    assert ok(done) and "Issued 4 KG from A-01 to PRD." in text(done)
    assert on_hand(lot) == {"A-01": Decimal(6), "PRD": Decimal(4)}
    assert TraceEvent.objects.order_by("-pk").first().biz_step.endswith("picking")


def test_more_than_there_is_is_refused_with_the_ledger_reason(
    signed_in, bins, resin, make_lot, put
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 3)
    scan(signed_in, "transfer", "R1")
    events = TraceEvent.objects.count()
    refused = scan(signed_in, "transfer", "LOC:A1:A-02", quantity="5")
    assert not ok(refused)
    assert "Only 3 KG of lot R1 at A-01; 5 asked." in text(refused)
    assert TraceEvent.objects.count() == events
    bad = scan(signed_in, "transfer", "LOC:A1:A-02", quantity="-1")
    assert not ok(bad) and "A quantity must be more than zero." in text(bad)


def test_unknown_codes_and_locations_are_named(signed_in, bins):
    assert "Nothing traced here is named NOPE." in text(scan(signed_in, "transfer", "NOPE"))
    assert "Location ZZ at site A1 is not known here." in text(
        scan(signed_in, "transfer", "LOC:A1:ZZ")
    )
    assert "is not a location code" in text(scan(signed_in, "transfer", "LOC:A1"))


def test_a_resent_scan_is_answered_like_the_first_and_moves_once(
    signed_in, bins, resin, make_lot, put
):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    scan(signed_in, "putaway", "R1", key="k-lot")
    key = str(uuid.uuid4())
    first = scan(signed_in, "putaway", "LOC:A1:A-01", key=key, quantity="4")
    events = TraceEvent.objects.count()
    # The answer was lost; the queue sends the same scans again, in order.
    scan(signed_in, "putaway", "R1", key="k-lot")
    again = scan(signed_in, "putaway", "LOC:A1:A-01", key=key, quantity="4")
    assert ok(again) and text(again) == text(first)
    assert TraceEvent.objects.count() == events
    assert on_hand(lot) == {"RCV": Decimal(6), "A-01": Decimal(4)}
    # Only the destination scan again (the session no longer holds the lot): the same answer.
    assert text(scan(signed_in, "putaway", "LOC:A1:A-01", key=key, quantity="4")) == text(first)


def test_a_scan_time_in_the_future_or_a_bad_key_is_refused(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    scan(signed_in, "transfer", "R1")
    future = scan(signed_in, "transfer", "LOC:A1:A-01", at="2999-01-01T00:00:00Z")
    assert not ok(future) and "lies in the future" in text(future)
    bad = scan(signed_in, "transfer", "R1", key="a b")
    assert "The scan's key is malformed." in text(bad)
    assert on_hand(lot) == {"RCV": Decimal(10)}


def test_the_scan_time_is_the_event_time(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10, at=timezone.now() - timedelta(hours=2))
    scan(signed_in, "transfer", "R1")
    scanned = timezone.now() - timedelta(minutes=30)
    assert ok(scan(signed_in, "transfer", "LOC:A1:A-01", at=scanned.isoformat()))
    assert TraceEvent.objects.order_by("-pk").first().event_time == scanned


def test_a_case_moves_with_its_contents(
    signed_in, bins, catheter, make_lot, put, site_a, admin_a, organization
):
    lot = make_lot(catheter, "C1")
    units = [
        trace_objects.create_unit(item=catheter, serial=f"S{n}", lot=lot, site=site_a, by=admin_a)
        for n in range(2)
    ]
    for unit in units:
        put(unit, bins["RCV"])
    case = trace_objects.create_container(organization=organization, sscc="106141411234567897")
    record_event(
        Event(
            event_type="AggregationEvent",
            event_id=f"urn:uuid:{uuid.uuid4()}",
            event_time=timezone.now() - timedelta(minutes=5),
            event_time_zone_offset="+08:00",
            action="ADD",
            biz_step="packing",
            parent_id=case.identifier,
            epc_list=tuple(unit.identifier for unit in units),
        ),
        organization=organization,
        site=site_a,
    )
    first = scan(signed_in, "putaway", "106141411234567897")
    assert ok(first), text(first)
    assert "Case 106141411234567897 at RCV (2 EA)" in text(first)
    assert not ok(scan(signed_in, "putaway", "LOC:A1:A-01", quantity="1"))
    assert ok(scan(signed_in, "putaway", "LOC:A1:A-01"))
    assert {row.location.code for row in Stock.objects.filter(object__in=units)} == {"A-01"}


def test_location_labels_print_qr_and_code_128_of_the_short_form(signed_in, bins):
    page = signed_in.get(reverse("inventory:floor-location-labels"), {"kind": "stock"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "LOC:A1:A-01" in body and "LOC:A1:STK" in body
    assert "LOC:A1:RCV" not in body  # only the stock locations asked for
    assert 'class="symbol qr"' in body and 'class="symbol code-128"' in body
    one = signed_in.get(reverse("inventory:floor-location-labels"), {"code": "a-02"})
    assert "LOC:A1:A-02" in one.content.decode() and "LOC:A1:A-01" not in one.content.decode()


def test_the_panel_shows_the_pending_scan_and_the_last_moves(signed_in, bins, resin, make_lot, put):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    scan(signed_in, "transfer", "R1")
    panel = text(signed_in.get(reverse("inventory:floor-panel", args=["transfer"])))
    assert "Lot R1 of PVC-100" in panel and "Taken from RCV." in panel
    scan(signed_in, "transfer", "LOC:A1:A-01", quantity="2.5")
    panel = text(signed_in.get(reverse("inventory:floor-panel", args=["transfer"])))
    assert "Taken from" not in panel
    assert "PVC-100 R1 · 2.5 KG" in panel and "RCV → A-01" in panel


def test_without_the_script_a_plain_post_gets_the_page_with_the_feedback(
    signed_in, bins, resin, make_lot, put
):
    lot = make_lot(resin, "R1")
    put(lot, bins["RCV"], 10)
    page = signed_in.post(reverse("inventory:floor-scan", args=["putaway"]), {"code": "R1"})
    body = text(page)
    assert "<html" in body and "data-scan-station" in body
    assert 'data-ok="true"' in body and "Lot R1 of PVC-100 at RCV (10 KG)." in body


def test_the_panel_reads_the_last_moves_in_a_fixed_number_of_queries(
    signed_in, bins, resin, make_lot, put
):
    url = reverse("inventory:floor-panel", args=["transfer"])
    lots = [make_lot(resin, f"R{n}") for n in range(6)]
    for lot in lots:
        put(lot, bins["RCV"], 10)

    def move(lot):
        scan(signed_in, "transfer", lot.lot_number)
        assert ok(scan(signed_in, "transfer", "LOC:A1:A-01"))

    move(lots[0])
    with CaptureQueriesContext(connection) as few:
        signed_in.get(url)
    for lot in lots[1:]:
        move(lot)
    with CaptureQueriesContext(connection) as many:
        body = text(signed_in.get(url))
    assert "PVC-100 R5 · 10 KG" in body
    assert len(many) == len(few)
