import pytest

from medtrace.accounts.roles import Role
from medtrace.core.navigation import menu_for

pytestmark = pytest.mark.django_db


def test_login_page_and_security_headers(client):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-12345678"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_malformed_request_id_is_replaced(client):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "<script>"})
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32


def test_templates_have_no_inline_script(client, admin_a):
    client.force_login(admin_a)
    for url in ["/", "/org/sites/", "/accounts/tokens/", "/accounts/users/", "/search/?q=A"]:
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), (url, chunk[:80])
        assert " onclick=" not in html and " style=" not in html


def test_browser_asking_for_chinese_gets_chinese(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-hans">' in response.content.decode()


def test_browser_asking_for_english_gets_english(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "en-US"})
    assert '<html lang="en">' in response.content.decode()


def test_menu_hides_areas_without_pages(make_user, site_a, admin_a):
    operator = make_user("op", (site_a, Role.OPERATOR))
    admin_items = {item.url_name for area in menu_for(admin_a) for item in area.items}
    assert {"org:site-list", "accounts:user-list", "accounts:token-list"} <= admin_items
    operator_menu = {area.key: [i.url_name for i in area.items] for area in menu_for(operator)}
    assert "accounts:user-list" not in operator_menu.get("admin", [])
    assert all(area.items for area in menu_for(operator))


def test_home_and_search(client, qa_a, site_a):
    client.force_login(qa_a)
    home = client.get("/").content.decode()
    assert "Plant A" in home and "QA manager" in home
    found = client.get("/search/", {"q": "quarantine"}).content.decode()
    assert "A1 / QUA" in found
    nothing = client.get("/search/", {"q": "zzz-no-such"}).content.decode()
    assert "Nothing matches" in nothing


def test_user_without_roles_is_told_so(client, make_user, site_a):
    loner = make_user("loner")
    client.force_login(loner)
    assert "You hold no role at any site yet" in client.get("/").content.decode()
