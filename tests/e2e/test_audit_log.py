"""The audit trail in a real browser: an auditor filters it, a QA manager verifies the chain."""

import re

from playwright.sync_api import expect


def test_auditor_filters_the_trail_and_qa_verifies_the_chain(
    page, demo_plant, sign_in, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # no checkpoints left behind by other tests
    sign_in("auditor")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("main h1")).to_have_text("Audit trail")
    expect(page.get_by_role("button", name="Verify chain")).to_have_count(0)

    # Choosing an action updates the results in place (htmx) and the address bar with them.
    page.select_option("#id_action", "login")
    expect(page).to_have_url(re.compile(r"action=login"))
    results = page.locator("#audit-results tbody")
    expect(results).to_contain_text("Signed in")
    expect(results).to_contain_text("吴芳 Wu Fang")
    expect(results).not_to_contain_text("Created")

    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_url("/accounts/login/")
    sign_in("qa")
    page.goto("/audit/")
    page.get_by_role("button", name="Verify chain").click()
    expect(page.locator("#verify-result .badge")).to_have_text("ok")
    expect(page.locator("#verify-result")).to_contain_text("every hash and link holds")
