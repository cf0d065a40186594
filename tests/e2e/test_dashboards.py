"""The dashboards in a real browser on the demo plant, in Chinese, at desktop and phone widths:
the home page's counts open the list they count; QA opens Dashboards → SPC control charts,
picks the pouch sealer's seal temperature, sees the chart drawn with its limits and the points
listed, and recomputes the limits from a baseline. Screenshots of each state are kept when
MEDTRACE_E2E_SHOTS names a directory."""

import os
import re
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


def test_supplier_quality_ranks_the_demo_suppliers_and_shows_one_by_quarter(
    page, demo_plant, sign_in
):
    chinese(page, sign_in, "qa")
    page.goto("/")
    with page.expect_navigation():
        page.locator("#nav a[href='/analytics/suppliers/']").click()
    rows = page.locator("tr[data-supplier]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    expect(rows.first.locator("td").first).to_have_text("1")
    shot(page, "supplier-quality-zh")

    # The Tyvek supplier quarter by quarter: the chart, the drift test, each quarter's records.
    with page.expect_navigation():
        page.locator("tr[data-supplier=SUP-SHTYV] td[data-drift] a").click()
    expect(page.locator("#supplier-trend-chart canvas")).to_be_visible()
    quarters = page.locator("#supplier-quarters tr[data-quarter]")
    expect(quarters).to_have_count(8)
    if page.locator("#drift").get_attribute("data-signal") == "yes":
        expect(page.locator("#drift-heading .badge")).to_have_text("质量漂移")
    shot(page, "supplier-trend-zh")
    latest = quarters.filter(has=page.locator("td[data-inspections] a:not(:text-is('0'))")).last
    counted = int(latest.locator("td[data-inspections] a").inner_text())
    with page.expect_navigation():
        latest.locator("td[data-inspections] a").click()
    expect(page.locator("main table tbody tr")).to_have_count(counted)

    page.set_viewport_size({"width": 390, "height": 844})
    page.go_back()
    expect(page.locator("#supplier-trend-chart canvas")).to_be_visible()
    shot(page, "supplier-trend-zh-phone")
    page.goto("/analytics/suppliers/")
    expect(rows.first).to_be_visible()
    shot(page, "supplier-quality-zh-phone")


def test_qa_follows_a_lot_at_high_risk_to_the_record_behind_it(page, demo_plant, sign_in):
    chinese(page, sign_in, "qa")
    page.goto("/")
    tile = page.locator("a[data-tile=lots_high_risk]")
    expect(tile.locator(".stat")).to_have_text(re.compile(r"^\d+$"))  # loaded after the page
    count = int(tile.locator(".stat").inner_text())
    assert count > 0
    with page.expect_navigation():
        tile.click()
    rows = page.locator("tr[data-lot]")
    expect(rows).to_have_count(count)
    expect(rows.first.locator("[data-level=high]")).to_be_visible()
    shot(page, "risk-list-zh")

    lot = rows.first.get_attribute("data-lot")
    with page.expect_navigation():
        rows.first.locator("[data-level]").click()
    expect(page.locator("h1")).to_contain_text(lot)
    signal = page.locator("tr[data-signal]").first
    expect(signal).to_be_visible()
    rule = signal.get_attribute("data-signal")
    page.locator("#risk-rules summary").click()
    expect(page.locator(f"tr[data-rule={rule}]")).to_be_visible()
    shot(page, "lot-risk-zh")
    record = signal.get_by_role("link").first
    number = record.inner_text()
    with page.expect_navigation():
        record.click()
    expect(page.locator("h1")).to_contain_text(number)

    # The lot's own page loads the same signals into its Risk signals panel.
    page.go_back()
    with page.expect_navigation():
        page.locator("h1 a").click()
    expect(page.locator("#risk-panel [data-level=high]")).to_be_visible()
    expect(page.locator(f"#risk-panel tr[data-signal={rule}]").first).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/analytics/risk/?level=high")
    expect(page.locator("tr[data-lot]")).to_have_count(count)
    shot(page, "risk-list-zh-phone")


def test_qa_opens_a_capa_from_the_clamp_complaint_trend(page, demo_plant, sign_in):
    chinese(page, sign_in, "qa")
    page.goto("/")
    with page.expect_navigation():
        page.locator("#nav a[href='/analytics/complaint-trends/']").click()
    device = page.locator("tbody[data-device='IS-2001']")
    clamps = device.locator("tr[data-problem=A05]")
    expect(clamps.locator("[data-signal=yes]")).to_be_visible()
    shot(page, "complaint-trends-zh")

    with page.expect_navigation():
        clamps.get_by_role("link").first.click()
    expect(page.locator("#trend-chart canvas").first).to_be_visible()
    expect(page.locator("#trend-months tbody tr")).to_have_count(15)
    expect(page.locator("#trend-summary [data-signal=yes]")).to_be_visible()
    shot(page, "complaint-trend-zh")

    # The current period's count opens the complaints it counts.
    current = page.locator("#trend-summary [data-current-count] a")
    count = int(current.inner_text())
    with page.expect_navigation():
        current.click()
    expect(page.locator("tr[data-complaint]")).to_have_count(count)
    page.go_back()

    with page.expect_navigation():
        page.locator("#trend-capa").click()
    expect(page.locator("h1")).to_contain_text("CAPA-")
    expect(page.get_by_text("A05", exact=False).first).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/analytics/complaint-trends/")
    expect(page.locator("tbody[data-device='IS-2001']")).to_be_visible()
    shot(page, "complaint-trends-zh-phone")


def test_qa_downloads_a_report_and_subscribes_to_another(page, demo_plant, sign_in):
    chinese(page, sign_in, "qa")
    page.goto("/")
    with page.expect_navigation():
        page.locator("#nav a[href='/analytics/reports/']").click()
    expect(page.locator("tr[data-subscription='weekly_quality-pdf']")).to_be_visible()
    with page.expect_download() as download:
        page.locator("tr[data-report=weekly_quality] a[data-format=pdf]").click()
    assert download.value.suggested_filename.startswith("weekly-quality-")
    shot(page, "reports-zh")

    page.select_option("#id_report", "monthly_suppliers")
    page.select_option("#id_file_format", "xlsx")
    with page.expect_navigation():
        page.locator("#subscribe button[type=submit]").click()
    expect(page.locator("tr[data-subscription='monthly_suppliers-xlsx']")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#report-subscriptions")).to_be_visible()
    shot(page, "reports-zh-phone")
