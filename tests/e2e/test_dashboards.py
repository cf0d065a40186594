"""The dashboards in a real browser on the demo plant, in Chinese, at desktop and phone widths:
the home page's counts open the list they count; QA opens Dashboards → SPC control charts,
picks the pouch sealer's seal temperature, sees the chart drawn with its limits and the points
listed, and recomputes the limits from a baseline. Screenshots of each state are kept when
MEDTRACE_E2E_SHOTS names a directory."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medtrace.production.models import ParameterReading

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("MEDTRACE_E2E_SHOTS")
PARAMETER = "封口温度 Seal temperature"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def chinese(page, sign_in, username: str) -> None:
    sign_in(username)
    with page.expect_navigation():
        page.select_option("select#language-switch", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_a_home_count_opens_the_list_it_counts(page, demo_plant, sign_in):
    chinese(page, sign_in, "qa")
    page.goto("/")
    tile = page.locator("a[data-tile=ncr_open]")
    expect(tile).to_be_visible()
    count = int(tile.locator(".stat").inner_text())
    assert count > 0
    shot(page, "home-qa-zh")
    with page.expect_navigation():
        tile.click()
    assert "open=on" in page.url
    expect(page.locator("tr[data-ncr]")).to_have_count(count)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    expect(page.locator("a[data-tile=ncr_open]")).to_be_visible()
    shot(page, "home-qa-zh-phone")


def test_qa_reads_a_control_chart_in_chinese(page, demo_plant, sign_in):
    orders = ParameterReading.objects.filter(parameter=PARAMETER).values("operation").distinct()
    chinese(page, sign_in, "qa")

    page.goto("/analytics/spc/")
    row = page.locator("tr[data-series=parameter]", has_text=PARAMETER)
    expect(row).to_have_count(1)
    shot(page, "spc-list-zh")
    with page.expect_navigation():
        row.get_by_role("link").click()
    expect(page.locator("[data-chart-kind]")).to_have_attribute("data-chart-kind", "i_mr")
    expect(page.locator("#spc-location canvas").first).to_be_visible()
    expect(page.locator("#spc-spread canvas").first).to_be_visible()
    expect(page.locator("#spc-points tbody tr")).to_have_count(orders.count())
    shot(page, "spc-chart-zh")

    page.locator("#baseline").fill("2")
    with page.expect_navigation():
        page.locator("form[aria-label] button[type=submit]").first.click()
    assert "baseline=2" in page.url
    expect(page.locator("#baseline")).to_have_value("2")
    expect(page.locator("#spc-location canvas").first).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#spc-location canvas").first).to_be_visible()
    shot(page, "spc-chart-zh-phone")


def test_supplier_quality_ranks_the_demo_suppliers(page, demo_plant, sign_in):
    chinese(page, sign_in, "qa")
    page.goto("/")
    with page.expect_navigation():
        page.locator("#nav a[href='/analytics/suppliers/']").click()
    rows = page.locator("tr[data-supplier]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    expect(rows.first.locator("td").first).to_have_text("1")
    shot(page, "supplier-quality-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(rows.first).to_be_visible()
    shot(page, "supplier-quality-zh-phone")
