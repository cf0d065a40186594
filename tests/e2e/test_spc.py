"""SPC in a real browser on the demo plant, in Chinese: QA opens Dashboards → SPC control
charts, picks the pouch sealer's seal temperature, sees the chart drawn with its limits and the
points listed, recomputes the limits from a baseline, and reads the same page at phone width.
Screenshots of each state are kept when MEDTRACE_E2E_SHOTS names a directory."""

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


def test_qa_reads_a_control_chart_in_chinese(page, demo_plant, sign_in):
    orders = ParameterReading.objects.filter(parameter=PARAMETER).values("operation").distinct()
    sign_in("qa")
    with page.expect_navigation():
        page.select_option("select#language-switch", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

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
