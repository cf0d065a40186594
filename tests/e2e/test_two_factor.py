"""Two-factor sign-in in the browser: a QA manager, whose role requires it, is sent to set up an
authenticator, keeps the recovery codes, then signs in with password and code, and once with a
recovery code."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from medtrace.accounts import mfa
from medtrace.demo import DEMO_PASSWORD


def password_step(page, username="qa"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def test_a_required_authenticator_is_set_up_then_asked_for(page, demo_plant, settings):
    settings.MFA_REQUIRED_ROLES = ["qa_manager"]
    password_step(page)
    page.wait_for_url("**/accounts/two-factor/")
    expect(page.locator(".messages")).to_contain_text("set up an authenticator")
    page.goto("/trace/")  # nothing else opens until it is set up
    page.wait_for_url("**/accounts/two-factor/")
    expect(page.locator(".qr svg")).to_be_visible()

    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(mfa.code_at(secret, timezone.now()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10, codes
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_test_id("two-factor")).to_contain_text("10 recovery codes left.")

    sign_out(page)
    password_step(page)
    page.wait_for_url("**/accounts/login/verify/")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".errorlist")).to_contain_text("The code does not match.")
    next_step = mfa.code_at(secret, timezone.now() + timedelta(seconds=30))
    page.get_by_label("Code").fill(next_step)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    sign_out(page)
    password_step(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("two-factor")).to_contain_text("9 recovery codes left.")
