"""Picking on a phone: the warehouse clerk opens a released order's picking screen, scans the
first-expiry lot (green, the list updates), a later lot without a reason (red, FEFO named),
then packs, ships, and the hospital confirms through the link."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.shipping.choices import OrderStatus
from medtrace.shipping.models import ShipmentOrder
from medtrace.shipping.selectors import picking_list
from medtrace.shipping.services import shipment
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects

PHONE = {"width": 375, "height": 812}
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def scan(page, code: str) -> None:
    box = page.locator("[data-scan-code]")
    box.click()
    box.press_sequentially(code, delay=5)
    box.press("Enter")


def _later_lot(plant, first):
    """A second lot of the same sets, expiring a year after the first, in the store."""
    lot = trace_objects.create_lot(
        item=first.item, lot_number=f"{first.lot_number}-L", gtin=first.gtin,
        site=first.site, origin=LotOrigin.PRODUCED, manufactured_on=first.manufactured_on,
        expires_on=first.expires_on + timedelta(days=365),
    )  # fmt: skip
    moves.move(
        site=first.site, lines=[moves.Line(lot, Decimal(500))], operation=Operation.RECEIVE,
        biz_step="storing", disposition="available",
        destination=plant.locations[("SZ01", "FG")], by=plant.users["warehouse"],
    )  # fmt: skip
    return lot


def test_pick_pack_ship_and_confirm_on_a_phone(page, demo_plant, sign_in):
    order = ShipmentOrder.objects.get(status=OrderStatus.PICKING)
    entry = next(e for e in picking_list(order) if e.line.item.code == "IS-2001")
    first = entry.suggestions[0].lot
    later = _later_lot(demo_plant, first)
    page.set_viewport_size(PHONE)
    sign_in("warehouse")
    page.goto(f"/shipping/{order.pk}/pick/")
    feedback = page.locator("[data-feedback]")
    expect(page.locator("[data-scan-code]")).to_be_focused()
    shot(page, "pick-start")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill("input[name=quantity]", "150")
    scan(page, first.lot_number)
    expect(feedback.locator(".scan-ok")).to_contain_text(f"Picked {first.lot_number}: 150 EA")
    expect(page.locator("input[name=quantity]")).to_have_value("")
    expect(page.locator("#pick-progress")).to_contain_text("250")
    shot(page, "pick-green")

    page.fill("input[name=quantity]", "10")
    scan(page, later.lot_number)
    expect(feedback.locator(".scan-refused")).to_contain_text(
        f"First expiry, first out: lot {first.lot_number}"
    )
    shot(page, "pick-red")

    page.goto(f"/shipping/{order.pk}/pack/")
    expect(page.locator("[data-scan-station]")).to_be_visible()
    shot(page, "pack-screen")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/shipping/{order.pk}/")
    expect(page.locator("h1")).to_contain_text(order.number)
    shot(page, "order-detail")

    # The hospital confirms an order in transit through its link, without signing in.
    shipped = ShipmentOrder.objects.get(status=OrderStatus.SHIPPED)
    page.context.clear_cookies()
    page.goto(f"/shipping/confirm/{shipment.delivery_token(shipped)}/")
    shot(page, "confirm-page")
    page.fill("#id_received_by", "李护士长")
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.locator("[data-confirmed]")).to_contain_text("李护士长")
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.DELIVERED
