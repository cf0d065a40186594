"""A user of site A never sees site B: not through pages, not through the API."""

import re

import pytest

from medtrace.accounts.services import create_api_token
from medtrace.org.models import Location

pytestmark = pytest.mark.django_db


def b_location(site_b):
    return Location.objects.get(site=site_b, code="STK")


def test_pages_of_another_site_answer_404(client, qa_a, site_a, site_b):
    client.force_login(qa_a)
    assert client.get(f"/org/sites/{site_a.code}/").status_code == 200
    assert client.get(f"/org/sites/{site_b.code}/").status_code == 404
    assert client.get(f"/org/locations/{b_location(site_b).pk}/").status_code == 404


def test_lists_and_search_leave_out_another_site(client, qa_a, site_a, site_b):
    client.force_login(qa_a)
    sites_page = client.get("/org/sites/").content.decode()
    # As words: a random CSRF token in the page may contain "B1".
    assert re.search(r"\bA1\b", sites_page) and not re.search(r"\bB1\b", sites_page)
    search = client.get("/search/", {"q": "STK"}).content.decode()
    assert "A1 / STK" in search and "B1 / STK" not in search


def test_site_switcher_refuses_a_site_the_user_cannot_see(client, qa_a, site_b):
    client.force_login(qa_a)
    response = client.post("/org/switch-site/", {"site": site_b.pk})
    assert response.status_code == 404
    assert "medtrace_site_id" not in client.session


def test_api_session_sees_only_own_sites(client, qa_a, site_b):
    client.force_login(qa_a)
    body = client.get("/api/v1/sites").json()
    assert [site["code"] for site in body["items"]] == ["A1"]
    locations = client.get("/api/v1/locations", {"page_size": 500}).json()["items"]
    assert {location["site"] for location in locations} == {"A1"}
    response = client.get(f"/api/v1/locations/{b_location(site_b).pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/sites/{site_b.code}").status_code == 404


def test_api_token_sees_only_its_own_sites(client, make_user, site_a, site_b):
    from medtrace.accounts.roles import Role

    both = make_user("both", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    _token, plaintext = create_api_token(
        user=both, name="a only", sites=[site_a], can_write=False, expires_in_days=5, by=both
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    body = client.get("/api/v1/sites", headers=headers).json()
    assert [site["code"] for site in body["items"]] == ["A1"]
    location_b = b_location(site_b)
    assert client.get(f"/api/v1/locations/{location_b.pk}", headers=headers).status_code == 404
