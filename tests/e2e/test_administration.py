"""Administration in a real browser: a new colleague, a new location, a background job."""

from playwright.sync_api import expect

from medtrace.jobs.worker import run_pass


def test_admin_adds_a_colleague_who_can_then_sign_in(page, demo_plant, sign_in):
    sign_in("admin")
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    page.fill("#id_username", "qian.wei")
    page.fill("#id_full_name", "钱伟 Qian Wei")
    page.fill("#id_password", "A-long-enough-pass-1")
    page.select_option("#id_site", label="SZ01 · Suzhou plant")
    page.select_option("#id_role", "qa_inspector")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator("main h1")).to_contain_text("钱伟 Qian Wei")
    expect(page.locator("main table")).to_contain_text("QA inspector")

    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_url("/accounts/login/")
    sign_in("qian.wei", "A-long-enough-pass-1")
    expect(page.locator("main")).to_contain_text("SZ01 · QA inspector")


def test_clerk_adds_a_bin_inside_the_store_and_sees_a_refusal_for_a_duplicate(
    page, demo_plant, sign_in
):
    sign_in("warehouse")
    page.goto("/org/sites/SZ01/")
    page.get_by_role("link", name="WH", exact=True).click()
    page.get_by_role("link", name="New location inside").click()
    page.fill("#id_code", "wh-a03")
    page.fill("#id_name", "原料库 A03 货位")
    page.select_option("#id_kind", "stock")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main h1")).to_have_text("SZ01 / WH/WH-A03")

    page.goto("/org/sites/SZ01/locations/new/")
    page.fill("#id_code", "WH-A03")
    page.fill("#id_name", "again")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main form")).to_contain_text(
        "Site SZ01 already has a location with code WH-A03."
    )


def test_admin_runs_a_periodic_job_and_watches_it_finish(page, demo_plant, sign_in):
    sign_in("admin")
    page.get_by_role("link", name="Background jobs").click()
    page.select_option("#run-now-name", "jobs.prune")
    page.get_by_role("button", name="Run now").click()
    status = page.locator("main .badge").first
    expect(status).to_have_text("Queued")

    run_pass("e2e-worker")
    # The job page polls itself with htmx while the job is queued or running.
    expect(status).to_have_text("Succeeded", timeout=10_000)
