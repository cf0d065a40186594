"""A standard change request walked in a real browser on the demo plant: regulatory affairs
drafts a new BOM version of the extruded tubing; the process engineer raises a change request
from the draft (its impact on the products that use the tubing shown), plans a task and signs
the submission; the QA manager, the production supervisor and regulatory affairs each sign
their approval; QA releases it and the new BOM is the effective one, released under the
change; the engineer records the task done and QA closes the change. Elements are found by id
and data attributes, so the test holds whether or not the new strings are translated."""

import pytest
from playwright.sync_api import expect

from medtrace.catalog.models import Bom
from medtrace.changes.models import ChangeRequest
from medtrace.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def sign(page, action: str) -> None:
    """Open the workflow action's form, enter the password and sign."""
    page.locator(f"summary[data-action={action}]").click()
    page.locator(f"#action-{action} input[type=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator(f"#action-{action} button[type=submit]").click()


def as_user(page, sign_in, username: str) -> None:
    page.context.clear_cookies()  # signed out
    sign_in(username)


def status(page):
    return page.locator("main h1 + p [data-status]")


def test_a_bom_released_by_a_standard_change(page, demo_plant, sign_in):
    sign_in("regulatory")
    page.goto("/catalog/items/CP-TUBE/")
    page.get_by_role("table", name="BOM versions").get_by_role("link", name="Version 1").click()
    page.get_by_role("button", name="New version from this one").click()
    expect(page.locator("main h1")).to_contain_text("BOM version 2")
    lines = page.locator("#id_lines")
    lines.fill(lines.input_value().replace("RM-TOTM; 0.009", "RM-TOTM; 0.0095"))
    page.get_by_role("button", name="Save lines").click()
    draft = Bom.objects.get(item__code="CP-TUBE", version=2)
    expect(page.locator("main")).to_contain_text("0.0095")

    as_user(page, sign_in, "engineer")
    page.goto(f"/catalog/boms/{draft.pk}/")
    page.locator("[data-action=raise-change]").click()
    expect(page.locator("#id_scope_boms input:checked")).to_have_count(1)
    page.select_option("#id_site", str(demo_plant.sites["SZ01"].pk))
    page.fill("#id_title", "增塑剂比例调整 / Plasticiser ratio adjusted")
    page.select_option("#id_kind", "standard")
    page.fill("#id_reason", "管材偏硬 / Tubing too stiff at low temperature")
    page.fill("#id_description", "RM-TOTM 0.009 → 0.0095 kg per metre.")
    page.select_option("#id_risk_level", "medium")
    page.fill("#id_risk_assessment", "生物相容性不变 / Biocompatibility unchanged (same material).")
    page.check("#id_regulator_notification")
    with page.expect_navigation():
        page.locator("#change-submit").click()
    change = ChangeRequest.objects.get(boms=draft)
    expect(page.locator("main h1")).to_contain_text(change.number)
    expect(page.locator("[data-regulatory=regulator_notification]")).to_contain_text("yes")
    # The impact: the tubing, and the approved BOMs that use it.
    expect(page.locator("[data-affected=CP-TUBE]")).to_be_visible()
    expect(page.locator("[data-where-used=SA-LINE]")).to_be_visible()
    expect(page.locator("#impact-work-orders")).to_be_visible()

    page.locator("summary[data-action=add-task]").click()
    page.fill("#id_task_description", "更新挤出作业指导书 / Update the extrusion work instruction")
    page.select_option("#id_task_owner", str(demo_plant.users["engineer"].pk))
    page.fill("#id_task_due_on", "2030-01-31")
    page.uncheck("#id_task_before_release")
    with page.expect_navigation():
        page.locator("#task-submit").click()
    expect(page.locator("#change-tasks [data-done=false]")).to_have_count(1)
    sign(page, "submit")
    expect(status(page)).to_have_attribute("data-status", "in_review")

    for username, role in (
        ("qa", "qa_manager"),
        ("supervisor", "production_supervisor"),
        ("regulatory", "regulatory_affairs"),
    ):
        as_user(page, sign_in, username)
        page.goto(f"/changes/{change.pk}/")
        expect(page.locator(f"[data-approval={role}]")).to_contain_text("waiting")
        sign(page, "approve")
        expect(page.locator(f"[data-approval={role}] .badge.ok")).to_be_visible()
    expect(status(page)).to_have_attribute("data-status", "approved")

    as_user(page, sign_in, "qa")
    page.goto(f"/changes/{change.pk}/")
    sign(page, "release")
    expect(status(page)).to_have_attribute("data-status", "implemented")
    page.locator("[data-scope=bom] a").click()
    expect(page.locator("main h1")).to_contain_text("BOM version 2")
    expect(page.locator("[data-released-under]")).to_have_text(change.number)

    as_user(page, sign_in, "engineer")
    page.goto("/quality/tasks/")
    page.locator("[data-task=change-task] a", has_text=change.number).click()
    task = page.locator("#change-tasks [data-done=false]")
    task.locator("textarea").fill("WI-0012 rev. 4 issued.")
    with page.expect_navigation():
        task.locator("button[data-action=done]").click()
    expect(page.locator("#change-tasks [data-done=true]")).to_have_count(1)

    as_user(page, sign_in, "qa")
    page.goto(f"/changes/{change.pk}/")
    sign(page, "close")
    expect(status(page)).to_have_attribute("data-status", "closed")
