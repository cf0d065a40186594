"""A system administrator connects a receiving system in the browser: makes a webhook for
nonconformances of the Suzhou plant, copies the secret shown once, sends a test message that a
real receiver gets signed with it, and follows the delivery to its attempt; then looks at the
demo's ERP feed and the paused alert webhook's queue."""

import pytest
from playwright.sync_api import expect

from medtrace.integration import delivery as sending
from medtrace.integration.tests.conftest import receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e


def test_an_administrator_connects_a_webhook_and_follows_its_delivery(
    page,
    demo_plant,
    sign_in,
    receiver,  # noqa: F811
):
    sign_in("admin")
    page.get_by_role("link", name="Webhooks and feeds").click()
    expect(page.locator("main")).to_contain_text("ERP (SAP S/4HANA) feed")
    paused = page.locator("main tbody tr", has_text="QA on-call alerts")
    expect(paused).to_contain_text("Off")

    page.get_by_role("link", name="New subscription").click()
    form = page.locator("main form.stacked")
    form.get_by_label("Name").fill("MES line 3")
    form.get_by_label("Address").fill(receiver.url)
    form.get_by_label("Nonconformances", exact=True).check()
    form.get_by_label(demo_plant.sites["SZ01"].name_en).check()
    form.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Subscription MES line 3 created.")
    secret = page.locator("#new-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    page.get_by_role("button", name="Send a test message").click()
    expect(page.locator(".messages")).to_contain_text("A test message to MES line 3 is queued.")

    assert sending.deliver_due("e2e-worker") == 1
    assert receiver.verified(secret) and receiver.requests[0].json["type"] == "medtrace.ping"

    page.reload()
    expect(page.locator("#new-secret")).to_have_count(0)  # shown once only
    row = page.locator("#deliveries tbody tr").first
    expect(row).to_contain_text("Delivered")
    row.get_by_role("link", name="1").click()
    expect(page.locator("main")).to_contain_text("HTTP 200")
    expect(page.locator("main")).to_contain_text("medtrace.ping")

    page.get_by_role("link", name="Webhooks and feeds").first.click()
    page.get_by_role("link", name="ERP (SAP S/4HANA) feed").click()
    expect(page.locator("main")).to_contain_text("/feed?after=N")
    expect(page.locator("#deliveries tbody tr").first).to_contain_text("In the feed")
