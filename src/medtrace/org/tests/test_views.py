import pytest

from medtrace.org.middleware import SESSION_KEY
from medtrace.org.models import Location, Site

pytestmark = pytest.mark.django_db


def test_system_administrator_creates_a_site_with_default_locations(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        "/org/sites/new/",
        {
            "code": "c2",
            "name": "成都工厂",
            "name_en": "Chengdu plant",
            "kind": "plant",
            "time_zone": "Asia/Shanghai",
            "country": "CN",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(code="C2")
    assert site.locations.count() == 7
    assert admin_a.has_perm("org.add_location", site)


def test_site_form_shows_the_refusal(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/org/sites/new/",
        {"code": "A1", "name": "dup", "kind": "plant", "time_zone": "UTC", "country": "CN"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_qa_manager_may_not_create_sites_or_locations(client, qa_a, site_a):
    client.force_login(qa_a)
    assert client.get("/org/sites/new/").status_code == 403
    assert client.get(f"/org/sites/{site_a.code}/locations/new/").status_code == 403


def test_visitor_is_sent_to_sign_in(client, site_a):
    response = client.get("/org/sites/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_location_create_edit_and_deactivate(client, admin_a, site_a):
    client.force_login(admin_a)
    parent = Location.objects.get(site=site_a, code="STK")
    response = client.post(
        f"/org/sites/{site_a.code}/locations/new/",
        {"code": "stk-01", "name": "货位 01", "kind": "stock", "parent": parent.pk},
    )
    child = Location.objects.get(site=site_a, code="STK-01")
    assert response["Location"] == f"/org/locations/{child.pk}/"
    assert child.path == "STK/STK-01"

    client.post(f"/org/locations/{child.pk}/edit/", {"name": "货位一", "kind": "stock"})
    child.refresh_from_db()
    assert child.name == "货位一"

    client.post(f"/org/locations/{parent.pk}/active/", {"active": "0"})
    parent.refresh_from_db()
    assert parent.is_active
    client.post(f"/org/locations/{child.pk}/active/", {"active": "0"})
    child.refresh_from_db()
    assert not child.is_active


def test_switching_site_narrows_lists_and_sets_time_zone(client, make_user, site_a, site_b):
    from medtrace.accounts.roles import Role

    site_b.time_zone = "Europe/Berlin"
    site_b.save()
    both = make_user("both", (site_a, Role.AUDITOR), (site_b, Role.AUDITOR))
    client.force_login(both)
    response = client.post("/org/switch-site/", {"site": site_b.pk, "next": "/org/sites/"})
    assert response["Location"] == "/org/sites/"
    assert client.session[SESSION_KEY] == site_b.pk
    home = client.get("/")
    assert home.context["current_site"] == site_b
    assert home.context["TIME_ZONE"] == "Europe/Berlin"
    client.post("/org/switch-site/", {"site": ""})
    assert SESSION_KEY not in client.session


def test_switch_site_ignores_foreign_redirects(client, qa_a, site_a):
    client.force_login(qa_a)
    response = client.post(
        "/org/switch-site/", {"site": site_a.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_site_list_has_no_per_row_queries(
    client, admin_a, organization, django_assert_max_num_queries
):
    from medtrace.org import services

    for number in range(20):
        services.create_site(organization=organization, code=f"S{number}", name="s", by=admin_a)
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        response = client.get("/org/sites/")
    assert response.content.decode().count("/org/sites/S") == 20
