"""A work order on the floor, on a phone: the demo operator opens the floor page, picks the
released catheter-kit order, starts its first operation on an assembly station chosen from the
list, has two serials generated as output, scans a component lot (too much first: red, naming
what the line holds; then green) and finishes the operation; the order's page shows it all.

What the floor needs that the demo may not have yet (an assembly station in service, a hub
lot at the order's line) is made here through the services."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medtrace.catalog.models import Item
from medtrace.equipment import services as equipment_services
from medtrace.equipment.choices import EquipmentStatus
from medtrace.equipment.models import Equipment
from medtrace.equipment.services.usability import is_usable
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.production import services
from medtrace.production.choices import OperationStatus, WorkOrderStatus
from medtrace.production.models import Consumption, Output, WorkOrder
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")
HUB_LOT = "E2E-HUB-01"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def scan(page, code: str) -> None:
    box = page.locator("[data-scan-code]")
    box.click()
    box.press_sequentially(code, delay=5)
    box.press("Enter")


@pytest.fixture
def kit_order(demo_plant):
    """The demo's released catheter-kit order, a usable station for its first operation
    (`e2e_station`) and 50 hubs at its line."""
    site = demo_plant.sites["SZ01"]
    kits = WorkOrder.objects.filter(site=site, item__code="CVC-3001").order_by("pk")
    order = kits.filter(status=WorkOrderStatus.RELEASED).first()
    if order is None:  # the demo worked on them all: release its planned one
        planned = kits.filter(status=WorkOrderStatus.PLANNED).first()
        assert planned is not None, "the demo plans catheter-kit orders at SZ01"
        order = services.release(planned, by=demo_plant.users["supervisor"])
    first = order.operations.order_by("position").first()
    candidates = Equipment.objects.filter(
        site=site, equipment_type=first.equipment_type, status=EquipmentStatus.IN_SERVICE
    ).order_by("code")
    station = next((each for each in candidates if is_usable(each).usable), None)
    if station is None:
        station = equipment_services.create_equipment(
            site=site, code="ASM-E2E", name="装配工作台 E2E", name_en="Assembly bench E2E",
            equipment_type=first.equipment_type, by=demo_plant.users["qa"],
        )  # fmt: skip
    order.e2e_station = station
    hub = Item.objects.get(organization=demo_plant.organization, code="CP-HUB")
    lot = trace_objects.create_lot(
        item=hub, lot_number=HUB_LOT, site=site, origin=LotOrigin.RECEIVED,
        by=demo_plant.users["warehouse"],
    )  # fmt: skip
    moves.move(
        site=site, lines=[moves.Line(lot, Decimal(50))], operation=Operation.RECEIVE,
        biz_step="receiving", disposition="available", destination=order.line,
        by=demo_plant.users["warehouse"],
    )  # fmt: skip
    return order


def test_an_operator_works_an_order_on_a_phone(page, demo_plant, kit_order, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("operator")
    page.goto("/inventory/floor/")
    page.locator("a.floor-task[href='/production/floor/']").click()
    page.locator(f"[data-order='{kit_order.number}']").click()
    expect(page.locator("h1")).to_contain_text(kit_order.number)
    shot(page, "production-station")

    # Start the first operation on the station's equipment, chosen from the list.
    first = kit_order.operations.order_by("position").first()
    start = page.locator("#start-form")
    start.locator("select[name=equipment]").select_option(str(kit_order.e2e_station.pk))
    start.locator("[data-action=start]").click()
    answer = page.locator("#floor-answer .scan-ok")
    expect(answer).to_contain_text(f"Operation {first.name} started.")
    first.refresh_from_db()
    assert first.status == OperationStatus.IN_PROGRESS and first.started_by.username == "operator"

    # Output: the kits are serialized, two serials generated.
    output = page.locator("#output-form")
    output.locator("input[name=generate]").fill("2")
    output.locator("[data-action=output]").click()
    expect(page.locator("#floor-answer .scan-ok")).to_contain_text("Recorded 2 units:")
    made = Output.objects.filter(work_order=kit_order, unit__isnull=False).order_by("pk")
    assert made.count() == 2
    if first.per_unit:  # the routing records components per serial: name the unit built
        page.fill("input[name=into_unit]", made[0].unit.serial)

    # More than the line holds: red, naming it; nothing consumed.
    feedback = page.locator("[data-feedback]")
    page.fill("input[name=quantity]", "60")
    scan(page, HUB_LOT)
    expect(feedback.locator(".scan-refused")).to_contain_text("holds 50")
    assert not Consumption.objects.filter(work_order=kit_order).exists()
    shot(page, "production-red")

    # Two hubs: green, the panel beside the station counts them.
    page.fill("input[name=quantity]", "2")
    scan(page, HUB_LOT)
    expect(feedback.locator(".scan-ok")).to_contain_text(f"Consumed 2 EA of CP-HUB, lot {HUB_LOT}.")
    expect(page.locator("input[name=quantity]")).to_have_value("")
    expect(page.locator("[data-progress='CP-HUB'] [data-consumed]")).to_have_text("2")
    shot(page, "production-green")
    consumed = Consumption.objects.get(work_order=kit_order)
    assert consumed.lot.lot_number == HUB_LOT and consumed.quantity == 2

    # Its parameters (if the routing names any) are read, each within its limits; then the
    # operation is finished.
    for spec in first.parameters():
        reading = page.locator("#reading-form")
        reading.locator("select[name=parameter]").select_option(spec["name"])
        value = next(v for v in (spec["target"], spec["lower_limit"], spec["upper_limit"]) if v)
        reading.locator("input[name=value]").fill(str(value))
        reading.locator("[data-action=reading]").click()
        expect(page.locator("#floor-answer .scan-ok")).to_contain_text(spec["name"])
    page.locator("#finish-form [data-action=finish]").click()
    expect(page.locator("#floor-answer .scan-ok")).to_contain_text(
        f"Operation {first.name} finished."
    )
    first.refresh_from_db()
    assert first.status == OperationStatus.DONE
    second = kit_order.operations.order_by("position")[1]
    expect(page.locator("#floor-operation h2")).to_contain_text(second.name)
    shot(page, "production-next")

    # The order's page shows what the floor recorded.
    page.locator("[data-link=order]").click()
    expect(page.locator(f"[data-operation='{first.position}']")).to_have_attribute(
        "data-op-status", "done"
    )
    expect(page.locator("[data-consumption='CP-HUB']")).to_contain_text(HUB_LOT)
    expect(page.locator("[data-output]")).to_have_count(2)
    shot(page, "production-order")
    assert WorkOrder.objects.get(pk=kit_order.pk).status == WorkOrderStatus.IN_PROGRESS
