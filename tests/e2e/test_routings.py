"""Routings in a real browser: the QA manager drafts a new version of the infusion set's
routing, tightens an EO sterilization limit, approves it with a signature and compares."""

from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD


def test_qa_revises_a_routing_parameter_and_approves_it(page, demo_plant, sign_in):
    sign_in("qa")
    page.goto("/catalog/items/IS-2001/")
    page.get_by_role("table", name="Routing versions").get_by_role("link", name="Version 1").click()
    expect(page.locator("main h1")).to_contain_text("Routing version 1")
    expect(page.locator("main")).to_contain_text("环氧乙烷灭菌 EO sterilization")
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

    page.fill("#id_sign_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign and approve").click()
    expect(page.locator(".messages")).to_contain_text("approved")
    expect(page.locator("main")).to_contain_text("Approved")

    page.get_by_role("link", name="Compare with version 1").click()
    differences = page.get_by_role("table", name="Differences")
    expect(differences).to_contain_text("环氧乙烷灭菌 EO sterilization")
    expect(differences).to_contain_text("changed")
