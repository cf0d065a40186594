"""An audit-trail review signed in the browser, then corrected: the signature shows broken."""

from playwright.sync_api import expect

from medtrace.demo import DEMO_PASSWORD


def test_qa_signs_a_review_and_a_later_correction_breaks_the_signature(page, demo_plant, sign_in):
    sign_in("qa")
    page.get_by_role("link", name="Audit-trail reviews").click()
    page.get_by_role("link", name="New review").click()
    page.select_option("#id_site", label="SZ01 · Suzhou plant")
    page.select_option("#id_conclusion", "no_findings")
    page.get_by_role("button", name="Open review").click()
    expect(page.locator("main .signature-block")).to_contain_text("Not signed yet.")

    sign = page.locator("main form.sign-form")
    sign.get_by_label("Meaning").select_option("reviewed")
    sign.get_by_label("Your password").fill(DEMO_PASSWORD)
    sign.get_by_role("button", name="Sign").click()
    expect(page.locator("main .messages")).to_contain_text("Signed as “Reviewed”.")
    row = page.locator("main .signature-block tr.signature")
    expect(row).to_contain_text("王静 Wang Jing")
    expect(row).to_contain_text("Reviewed")
    expect(row).to_contain_text("Asia/Shanghai (UTC+08:00)")
    expect(row.locator(".badge")).to_have_text("Valid")

    page.get_by_text("Correct the findings").click()
    page.select_option("#id_conclusion", "findings_recorded")
    page.fill("#id_findings", "Three failed sign-ins at night on the line-1 terminal.")
    page.fill("#id_reason", "Lockout entries were missed in the first pass.")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator("main .findings")).to_contain_text("Three failed sign-ins")
    expect(row.locator(".badge")).to_have_text("Invalid: the record changed after signing")
    expect(row.locator(".badge.bad")).to_be_visible()
