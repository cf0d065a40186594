"""Routings in a real browser: regulatory affairs drafts a new version of the infusion set's
routing and tightens an EO sterilization limit, then raises a fast-track change request from
the draft and signs its submission; the QA manager approves and releases the change (both
signed), and the new version is the effective one, released under the change's number."""

import pytest
from playwright.sync_api import expect

from medtrace.changes.models import ChangeRequest
from medtrace.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def sign(page, action: str) -> None:
    """Open the workflow action's form, enter the password and sign."""
    page.locator(f"summary[data-action={action}]").click()
    page.locator(f"#action-{action} input[type=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator(f"#action-{action} button[type=submit]").click()


def test_a_routing_revised_and_released_by_a_change_request(page, demo_plant, sign_in):
    sign_in("regulatory")
    page.goto("/catalog/items/IS-2001/")
    page.get_by_role("table", name="Routing versions").get_by_role("link", name="Version 1").click()
    expect(page.locator("main h1")).to_contain_text("Routing version 1")
    expect(page.locator("main")).to_contain_text("环氧乙烷灭菌 EO sterilization")
    expect(page.locator("[data-released-under]")).to_contain_text("ECO-")
    page.get_by_role("button", name="New version from this one").click()
    expect(page.locator("main h1")).to_contain_text("Routing version 2")

    sterilization = page.get_by_role("region", name="40 环氧乙烷灭菌 EO sterilization")
    sterilization.get_by_role("link", name="Edit").click()
    parameters = page.locator("#id_parameters")
    text = parameters.input_value().replace(
        "灭菌时间 Exposure time; min; 240", "灭菌时间 Exposure time; min; 300"
    )
    parameters.fill(
        text.replace(
            "EO 浓度 EO concentration; mg/L; 550; 600; 650",
            "EO 浓度 EO concentration; mg/L; 650; 600; 550",
        )
    )
    page.get_by_role("button", name="Save operation").click()
    expect(page.locator(".errorlist")).to_contain_text("the lower limit is above the upper limit")
    parameters.fill(text)
    page.fill("#id_reason", "PQ 2026: longer exposure")
    page.get_by_role("button", name="Save operation").click()
    expect(page.locator(".messages")).to_contain_text("Operation saved.")

    # No approval on the routing itself: a change request releases it.
    expect(page.get_by_role("button", name="Sign and approve")).to_have_count(0)
    page.locator("[data-action=raise-change]").click()
    expect(page.locator("#id_scope_routings input:checked")).to_have_count(1)
    page.select_option("#id_site", str(demo_plant.sites["SZ01"].pk))
    page.fill("#id_title", "EO 暴露时间 300 min / EO exposure time 300 min")
    page.select_option("#id_kind", "fast_track")
    page.fill("#id_reason", "PQ 2026 再验证 / PQ 2026 revalidation")
    page.fill("#id_description", "灭菌时间 240 → 300 min.")
    page.select_option("#id_risk_level", "low")
    with page.expect_navigation():
        page.locator("#change-submit").click()
    change = ChangeRequest.objects.get(routings__item__code="IS-2001", routings__version=2)
    expect(page.locator("main h1")).to_contain_text(change.number)
    expect(page.locator("[data-scope=routing]")).to_contain_text("IS-2001 v2")
    sign(page, "submit")
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute("data-status", "in_review")

    page.context.clear_cookies()  # signed out
    sign_in("qa")
    page.goto(f"/changes/{change.pk}/")
    expect(page.locator("[data-approval=qa_manager]")).to_contain_text("waiting")
    sign(page, "approve")
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute("data-status", "approved")
    sign(page, "release")
    expect(page.locator("main h1 + p [data-status]")).to_have_attribute(
        "data-status", "implemented"
    )

    page.locator("[data-scope=routing] a").click()
    expect(page.locator("main h1")).to_contain_text("Routing version 2")
    expect(page.locator("main")).to_contain_text("Approved")
    expect(page.locator("[data-released-under]")).to_have_text(change.number)
    page.get_by_role("link", name="Compare with version 1").click()
    differences = page.get_by_role("table", name="Differences")
    expect(differences).to_contain_text("环氧乙烷灭菌 EO sterilization")
    expect(differences).to_contain_text("changed")
