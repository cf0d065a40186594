"""The application shell in a real browser: sign-in, language, site switch, sign-out, and the
phone-sized layout."""

import re

import pytest
from playwright.sync_api import expect


def test_qa_manager_switches_language_and_site_then_signs_out(page, demo_plant, sign_in):
    sign_in("qa")
    expect(page.locator("main h1")).to_have_text("Demo Medical Devices Co.")

    # The select submits itself (app.js); the server answers with the page in Chinese.
    with page.expect_navigation():
        page.select_option("select#language-switch", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    nav = page.locator("nav#nav")
    expect(nav).to_contain_text("系统管理")  # Administration
    expect(nav).to_contain_text("场地与库位")  # Sites and locations
    sign_out = page.locator("header form[action$='/logout/'] button")
    expect(sign_out).to_have_text("退出登录")

    with page.expect_navigation():
        page.select_option("select#site-switch", str(demo_plant.sites["SZ02"].pk))
    expect(page.locator("select#site-switch")).to_have_value(str(demo_plant.sites["SZ02"].pk))
    expect(page.locator("main h1")).to_have_text("深圳工厂")

    sign_out.click()
    page.wait_for_url("/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    # Signed out for real: the home page sends us back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_phone_layout_has_a_menu_button_and_no_sideways_scroll(page, demo_plant, sign_in):
    sign_in("operator")
    nav = page.locator("nav#nav")
    toggle = page.locator("button.menu-toggle")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 360, f"the page scrolls sideways on a phone: {scroll_width}px wide"
