"""A recall walked in a real browser on the demo plant: the QA manager opens a finished lot's
trace page, starts a recall from it (the lot filled in), sees the scope by place and the
regulators' deadlines, approves it with the password, and sees the lot recalled in our stock
and on its page. Elements are found by id and data attributes, so the test holds whether or
not the new strings are translated."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.org.choices import LocationKind
from medtrace.recall.models import Recall
from medtrace.trace.models import Lot

pytestmark = pytest.mark.e2e
# MEDTRACE_E2E_SHOTS=/some/dir keeps screenshots of the pages, to look at the layout.
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def finished_lot_in_stock(demo_plant) -> Lot:
    """A finished-device lot of SZ01, available in one of its stock locations."""
    site = demo_plant.sites["SZ01"]
    rows = (
        Stock.objects.filter(
            site=site,
            location__kind=LocationKind.STOCK,
            quantity__gt=0,
            object__kind="lot",
            lot__item__kind="finished_device",
        )
        .select_related("lot")
        .order_by("lot__lot_number")
    )
    for row in rows:
        if status_of(row.lot).status == StockStatus.AVAILABLE:
            return row.lot
    pytest.fail("The demo has no available finished lot in SZ01's stock.")


def test_qa_recalls_a_lot_from_its_trace_page(page, base_url, demo_plant, sign_in):
    lot = finished_lot_in_stock(demo_plant)
    sign_in("qa")
    page.goto(f"/trace/objects/{lot.pk}/")
    with page.expect_navigation():
        page.locator("[data-action=start-recall]").click()
    expect(page.locator("#id_roots")).to_have_value(lot.lot_number)
    expect(page.locator("#id_site")).to_have_value(str(lot.site_id))
    page.locator("#id_title").fill("密封不良 Seal leaks")
    page.locator("#id_reason").fill("出厂检验漏检密封。Final inspection missed weak seals.")
    page.locator("#id_hazard").fill("Loss of sterility: infection risk.")
    page.locator("#id_nmpa_class").select_option("II")
    page.locator("input[name=depth][value=user]").check()
    page.locator("input[name=strategy][value=removal]").check()
    shot(page, "recall-form")
    with page.expect_navigation():
        page.locator("#recall-submit").click()

    recall = Recall.objects.get(roots=lot)
    expect(page).to_have_url(f"{base_url}/recall/{recall.pk}/")
    expect(page.locator("main h1")).to_contain_text(recall.number)
    status = page.locator("main h1 + p [data-status]")
    expect(status).to_have_attribute("data-status", "draft")
    expect(page.locator("#scope-summary")).to_have_attribute("data-version", "1")
    expect(page.locator("[data-count=lots]")).to_be_visible()
    deadlines = page.locator("#deadlines tr[data-regime=NMPA]")
    expect(deadlines).to_have_count(3)
    expect(deadlines.first.locator("[data-rule]")).to_contain_text("医疗器械召回管理办法")
    entry = page.locator(f"#scope-table[data-place=stock] tr[data-entry='{lot.identifier}']")
    expect(entry.first.locator("[data-status]")).to_have_attribute("data-status", "available")

    approve = page.locator("#action-approve")
    approve.locator("summary[data-action=approve]").click()
    expect(approve.locator("#id_approve_meaning")).to_have_value("approved")
    approve.locator("#id_approve_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        approve.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "approved")
    expect(entry.first.locator("[data-status]")).to_have_attribute("data-status", "recalled")
    expect(deadlines.first.locator("[data-due]")).not_to_have_attribute("data-due", "")
    expect(page.locator("main .signature-block tr.signature")).to_have_count(1)
    shot(page, "recall-approved")
    # The places are tabs over the scope table, swapped in place.
    page.locator("#scope-entries a[data-place=consignee]").click()
    expect(page.locator("#scope-entries a[aria-current=page]")).to_have_attribute(
        "data-place", "consignee"
    )
    expect(page).to_have_url(f"{base_url}/recall/{recall.pk}/?place=consignee#scope-heading")
    expect(page.locator("main h1")).to_have_count(1)
    page.goto("/recall/")
    expect(page.locator(f"tr[data-recall='{recall.number}'] [data-status]")).to_have_attribute(
        "data-status", "approved"
    )
    shot(page, "recall-list")

    page.goto(f"/trace/objects/{lot.pk}/")
    panel = page.locator("[data-stock-panel]")
    expect(panel.locator("[data-status]")).to_have_attribute("data-status", "recalled")
    expect(panel.locator("[data-status-detail]")).to_contain_text(recall.number)
