"""A mock recall (drill) run end to end in a real browser on the demo plant: QA opens a drill
on a shipped finished lot, approves it, prepares and sends the notices (they reach the drill
mailbox on a real local SMTP server), each consignee acknowledges through its signed link,
QA closes the drill with the password and reads its timing report against the targets."""

import pytest
from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD
from medtrace.recall.models import Recall
from medtrace.recall.services.acknowledgements import token_for
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Lot

pytestmark = pytest.mark.e2e


def shipped_lot(demo_plant) -> Lot:
    """A finished lot of SZ01 shipped to two or three consignees that no recall covers."""
    site = demo_plant.sites["SZ01"]
    lots = Lot.objects.filter(site=site, item__kind="finished_device").order_by("lot_number")
    for lot in lots:
        if 2 <= len(trace_forward(lot).parties) <= 3 and not Recall.objects.filter(roots=lot):
            return lot
    pytest.fail("The demo has no finished lot shipped to two or three consignees.")


def test_a_drill_from_the_browser_produces_its_timing_report(
    page, base_url, demo_plant, sign_in, smtp_server, settings
):
    settings.DRILL_MAILBOX = "drill@sz01.example.cn"
    lot = shipped_lot(demo_plant)
    sign_in("qa")
    page.goto(f"/recall/new/?object={lot.pk}")
    page.locator("#id_drill").check()
    page.locator("#id_title").fill("演练 Drill: seal strength")
    page.locator("#id_reason").fill("Quarterly mock recall.")
    page.locator("input[name=depth][value=user]").check()
    page.locator("input[name=strategy][value=removal]").check()
    with page.expect_navigation():
        page.locator("#recall-submit").click()
    drill = Recall.objects.get(roots=lot, drill=True)
    assert drill.number.startswith("DRL-")

    approve = page.locator("#action-approve")
    approve.locator("summary[data-action=approve]").click()
    approve.locator("#id_approve_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        approve.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.locator("#prepare-notices").click()
    rows = page.locator("#notices tbody tr")
    count = drill.notices.count()
    assert count >= 2
    expect(rows).to_have_count(count)
    with page.expect_navigation():
        page.locator("#send-notices").click()
    expect(page.locator("#notices [data-notice-status=sent]")).to_have_count(count)
    assert len(smtp_server.to("drill@sz01.example.cn")) == count

    # Each consignee answers through its link (no sign-in needed: the link is the credential).
    for notice in drill.notices.all():
        page.goto(f"/recall/acknowledge/{token_for(notice)}/")
        for line in notice.lines.all():
            page.locator(f"#id_line-{line.pk}-used").fill(str(line.quantity.normalize()))
        page.locator("#id_name").fill(f"{notice.recipient_name} 设备科")
        with page.expect_navigation():
            page.locator("#ack-submit").click()
        expect(page.locator("#ack-done")).to_be_visible()

    page.goto(f"/recall/{drill.pk}/")
    expect(page.locator("#notices [data-notice-status=acknowledged]")).to_have_count(count)
    close = page.locator("#action-close")
    close.locator("summary[data-action=close]").click()
    close.locator("#id_close_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        close.locator("button[type=submit]").click()
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute("data-status", "closed")

    with page.expect_navigation():
        page.locator("[data-link=drill-report]").click()
    kpis = page.locator("#drill-kpis tr[data-kpi]")
    expect(kpis).to_have_count(3)
    for index in range(3):
        expect(kpis.nth(index)).to_have_attribute("data-met", "met")
