"""A personal API token's whole life through the UI: create, use against the API, revoke."""

import pytest
from playwright.sync_api import expect


@pytest.fixture
def api(playwright, base_url):
    """A fresh HTTP client without the browser's session cookie, so only the token can
    authenticate (the API also accepts the session, which would hide a broken token)."""
    client = playwright.request.new_context(base_url=base_url)
    yield client
    client.dispose()


def test_token_created_in_the_ui_works_until_revoked(page, api, demo_plant, sign_in):
    sign_in("qa")
    page.goto("/accounts/tokens/")
    form = page.locator("main form.stacked")
    form.get_by_label("Name").fill("label printer")
    suzhou = demo_plant.sites["SZ01"]
    form.get_by_label(suzhou.name_en).check()
    expect(form.locator(f"input[name=sites][value='{suzhou.pk}']")).to_be_checked()
    form.get_by_label("Expires after (days)").fill("7")
    form.get_by_role("button", name="Create token").click()

    token = page.get_by_test_id("new-token").inner_text().strip()
    assert token.startswith("mt_"), token

    def me():
        return api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    response = me()
    assert response.status == 200, response.text()
    assert response.json()["username"] == "qa"
    assert token.split("_")[1] == response.json()["token"]  # authenticated by this token
    assert [site["site"] for site in response.json()["sites"]] == ["SZ01"]

    row = page.locator("main tbody tr", has_text="label printer")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

    assert me().status == 401
