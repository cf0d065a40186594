"""The warehouse clerk puts away by scan on a phone: a lot and its bin (typed like a keyboard
wedge, ending with Enter) turn the station green; a held lot turns it red with the reason;
with the connection gone the scans queue, and once it is back they are sent in order and the
lot moves once."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medtrace.catalog.models import Item
from medtrace.inventory.choices import Operation
from medtrace.inventory.models import Stock, StockMove
from medtrace.inventory.services import moves
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects

PHONE = {"width": 375, "height": 812}
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def lots(demo_plant):
    """Three PVC lots at SZ01's receiving: two released, one held by an NCR."""
    site = demo_plant.sites["SZ01"]
    receiving = demo_plant.locations[("SZ01", "RCV")]
    clerk = demo_plant.users["warehouse"]
    item = Item.objects.get(organization=demo_plant.organization, code="RM-PVC")
    made = {}
    for number, disposition in (
        ("E2E-F1", "available"),
        ("E2E-F2", "available"),
        ("E2E-H1", "non_conformant"),
    ):
        lot = trace_objects.create_lot(
            item=item, lot_number=number, site=site, origin=LotOrigin.RECEIVED, by=clerk
        )
        moves.move(
            site=site,
            lines=[moves.Line(lot, Decimal(25))],
            operation=Operation.RECEIVE,
            biz_step="receiving",
            disposition=disposition,
            destination=receiving,
            by=clerk,
            reason="Held by NCR-E2E" if disposition == "non_conformant" else "",
        )
        made[number] = lot
    return made


def scan(page, code: str) -> None:
    box = page.locator("[data-scan-code]")
    box.click()
    box.press_sequentially(code, delay=5)
    box.press("Enter")


def on_hand(lot) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=lot)}


def test_putaway_by_scan_on_a_phone_green_red_and_offline_queue(page, demo_plant, lots, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("warehouse")
    site = demo_plant.sites["SZ01"]
    # Switching the site submits a form: wait for that page before going on.
    with page.expect_navigation():
        page.select_option("#site-switch", str(site.pk))
    expect(page.locator("#site-switch")).to_have_value(str(site.pk))
    page.goto("/inventory/floor/")
    shot(page, "floor-home")
    page.get_by_role("link", name="Put away").click()
    station = page.locator("[data-scan-station]")
    feedback = page.locator("[data-feedback]")
    expect(page.locator("[data-scan-code]")).to_be_focused()

    # A released lot, then its bin: green twice, the lot is in the bin.
    scan(page, "E2E-F1")
    expect(feedback.locator(".scan-ok")).to_contain_text("Lot E2E-F1 of RM-PVC at RCV (25 KG)")
    page.fill("input[name=quantity]", "10")
    scan(page, "LOC:SZ01:WH-A01")
    expect(feedback.locator(".scan-ok")).to_contain_text("Moved 10 KG from RCV to WH/WH-A01.")
    expect(page.locator("input[name=quantity]")).to_have_value("")
    expect(feedback).to_contain_text("Now: RCV 15 KG · WH/WH-A01 10 KG")
    expect(page.locator("#floor-panel")).to_contain_text("WH/WH-A01")
    shot(page, "floor-green")
    assert on_hand(lots["E2E-F1"]) == {"RCV": Decimal(15), "WH-A01": Decimal(10)}

    # A held lot: red, with its status and who held it.
    scan(page, "E2E-H1")
    refused = feedback.locator(".scan-refused")
    expect(refused).to_contain_text("Lot E2E-H1 of RM-PVC has status On hold")
    expect(refused).to_contain_text("Held by NCR-E2E")
    shot(page, "floor-red")

    # No connection: both scans wait in the queue, in order.
    page.context.set_offline(True)
    scan(page, "E2E-F2")
    expect(station.locator("[data-queue]")).to_contain_text("Queued (1)")
    expect(feedback.locator(".scan-queued")).to_be_visible()
    scan(page, "LOC:SZ01:WH-A02")
    expect(station.locator("[data-queue]")).to_contain_text("Queued (2)")
    shot(page, "floor-queued")
    assert on_hand(lots["E2E-F2"]) == {"RCV": Decimal(25)}

    # Back online: sent in order, the lot moves once.
    page.context.set_offline(False)
    expect(feedback.locator(".scan-ok")).to_contain_text(
        "Moved 25 KG from RCV to WH/WH-A02.", timeout=20000
    )
    expect(station.locator("[data-queue]")).to_be_hidden()
    expect(feedback).to_contain_text("Queued scans sent: 2.")
    assert on_hand(lots["E2E-F2"]) == {"WH-A02": Decimal(25)}
    arrivals = StockMove.objects.filter(object=lots["E2E-F2"], quantity__gt=0)
    assert arrivals.count() == 2  # the receipt and the one putaway
    assert page.evaluate("localStorage.length") == 0 or page.evaluate(
        "Object.keys(localStorage).every(k => localStorage.getItem(k) === '[]')"
    )

    # The bin labels the clerk scanned are printable from the floor page.
    page.goto("/inventory/floor/locations/labels/?kind=stock")
    expect(
        page.locator(".location-label", has_text="LOC:SZ01:WH-A01").locator("svg")
    ).to_have_count(2)
    shot(page, "floor-labels")
