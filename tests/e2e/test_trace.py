"""Scan to trace in a real browser: QA scans a catheter-kit lot's label into the header box,
lands on the lot's page, opens the forward trace and sees the finished units, the hospital
they went to and the genealogy graph drawn; and on a phone the scan page fits the screen."""

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medtrace.catalog.choices import PackagingLevel
from medtrace.demo.catalog import GS1_COMPANY_PREFIX, gtin14
from medtrace.partners.models import Customer, Supplier
from medtrace.scan.checks import gs1_check_digit
from medtrace.trace.models import Lot
from medtrace.trace.services import ensure_party, record_events
from medtrace.trace.tests.builders import event

KIT_GTIN = gtin14("10028", PackagingLevel.BASE_UNIT)  # CVC-3001, serialized
SERIALS = ["E2E-S1", "E2E-S2", "E2E-S3"]
PHONE = {"width": 375, "height": 812}
# MEDTRACE_E2E_SHOTS=/some/dir keeps screenshots of the pages, to look at the layout.
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sscc(reference: str) -> str:
    body = "1" + GS1_COMPANY_PREFIX + reference
    return body + gs1_check_digit(body)


@pytest.fixture
def kit_history(demo_plant):
    """PVC received, a kit lot made from it, three kits commissioned into the lot, packed in a
    case and shipped to the First Affiliated Hospital of Soochow University."""
    organization = demo_plant.organization
    supplier = ensure_party(
        organization=organization, supplier=Supplier.objects.get(code="SUP-ZJPVC")
    )
    hospital = ensure_party(
        organization=organization,
        customer=Customer.objects.get(organization=organization, code="H-SUDA1"),
    )
    raw = "urn:medtrace:lot:RM-PVC:E2E-R1"
    lot = f"https://id.gs1.org/01/{KIT_GTIN}/10/E2E-K1"
    units = [f"https://id.gs1.org/01/{KIT_GTIN}/21/{serial}" for serial in SERIALS]
    case = f"https://id.gs1.org/00/{sscc('000000777')}"
    start = datetime.now().astimezone() - timedelta(days=3)

    def at(hours: int):
        return start + timedelta(hours=hours)

    record_events(
        [
            event(
                "ObjectEvent",
                "urn:uuid:e2e-receive",
                at(0),
                action="ADD",
                biz_step="receiving",
                disposition="in_progress",
                quantities=[(raw, "50")],
                sources=[supplier.identifier],
            ),
            event(
                "TransformationEvent",
                "urn:uuid:e2e-make",
                at(5),
                biz_step="commissioning",
                input_quantities=[(raw, "2")],
                output_quantities=[(lot, "3")],
            ),
            event(
                "ObjectEvent",
                "urn:uuid:e2e-commission",
                at(6),
                action="ADD",
                biz_step="commissioning",
                disposition="active",
                epcs=units,
                ilmd={"cbvmda:lotNumber": "E2E-K1"},
            ),
            event(
                "AggregationEvent",
                "urn:uuid:e2e-pack",
                at(7),
                action="ADD",
                biz_step="packing",
                parent=case,
                epcs=units,
            ),
            event(
                "ObjectEvent",
                "urn:uuid:e2e-ship",
                at(30),
                biz_step="shipping",
                disposition="in_transit",
                epcs=[case],
                destinations=[hospital.identifier],
            ),
        ],
        organization=organization,
        site=demo_plant.sites["SZ01"],
        by=demo_plant.users["qa"],
        create_missing=True,
    )
    return Lot.objects.get(organization=organization, identifier=lot)


def test_a_scanned_lot_opens_its_page_and_traces_forward_to_the_hospital(
    page, kit_history, sign_in
):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    sign_in("qa")
    box = page.locator("#scan-input")
    box.fill(f"(01){KIT_GTIN}(10)E2E-K1")
    box.press("Enter")
    page.wait_for_url(f"**/trace/objects/{kit_history.pk}/")
    expect(page.locator("main h1")).to_contain_text("E2E-K1")
    expect(page.locator(".trace-timeline")).to_contain_text("commissioning")

    # The page loads the forward trace by itself; opening it again draws a fresh panel.
    forward = page.get_by_role("link", name="Forward: where it went")
    expect(forward).to_have_attribute("aria-current", "true")
    panel = page.locator("#trace-panel")
    first = panel.locator(".trace-graph").element_handle()
    forward.click()
    page.wait_for_function(
        "old => document.querySelector('#trace-panel .trace-graph') !== old", arg=first
    )
    expect(panel.locator(".trace-ms")).to_contain_text("ms")
    units = page.get_by_role("table", name="Units")
    for serial in SERIALS:
        expect(units).to_contain_text(serial)
    consignees = page.get_by_role("table", name="Consignees")
    expect(consignees).to_contain_text("The First Affiliated Hospital of Soochow University")
    graph = panel.locator(".trace-graph")
    expect(graph.locator("canvas")).to_be_visible()
    expect(graph).to_have_attribute("data-ready", "drawn")
    assert int(graph.get_attribute("data-nodes")) >= 1 + len(SERIALS) + 2  # kits, case, hospital
    shot(page, "lot-forward")
    assert problems == []

    # a unit from the table: its page, and back up its genealogy
    units.get_by_role("link", name=SERIALS[0]).click()
    expect(page.locator("main h1")).to_contain_text(SERIALS[0])
    page.get_by_role("link", name="Backward: where it came from").click()
    expect(page.get_by_role("table", name="Lots")).to_contain_text("E2E-R1")
    expect(page.get_by_role("table", name="Sources")).to_contain_text("Zhejiang Kangsu")
    # nothing left in flight when the live server's database is emptied
    expect(page.locator("#trace-panel .trace-graph")).to_have_attribute("data-ready", "drawn")


def test_on_a_phone_the_scan_and_lot_pages_fit_the_screen(page, kit_history, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("qa")
    page.goto("/trace/")
    box = page.get_by_label("Scan or type a code")
    expect(box).to_be_focused()

    def overflow() -> int:
        return page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )

    assert overflow() <= 0
    shot(page, "phone-scan")
    box.fill("E2E-K1")
    box.press("Enter")
    page.wait_for_url(f"**/trace/objects/{kit_history.pk}/")
    expect(page.locator("#trace-panel .trace-graph")).to_have_attribute("data-ready", "drawn")
    assert overflow() <= 0
    shot(page, "phone-lot")
