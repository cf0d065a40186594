import pytest

from medtrace.accounts.roles import Role
from medtrace.org.models import Location, Membership, Site
from medtrace.org.services import DEFAULT_LOCATIONS

pytestmark = pytest.mark.django_db


def test_create_location_by_api(client, admin_a, site_a):
    client.force_login(admin_a)
    parent = Location.objects.get(site=site_a, code="STK")
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "STK-9", "name": "货位 9", "kind": "stock", "parent_id": parent.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["path"] == "STK/STK-9"


def test_session_api_writes_need_the_csrf_token(admin_a, site_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "X", "name": "x", "kind": "stock"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Location.objects.filter(code="X").exists()


def test_operator_may_not_create_locations(client, operator_a, site_a):
    client.force_login(operator_a)
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "X", "name": "x", "kind": "stock"},
        content_type="application/json",
    )
    assert response.status_code == 403
    body = response.json()["error"]
    assert body["code"] == "permission_denied" and "org.add_location" in body["message"]


def test_validation_errors_share_the_error_body(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "X", "name": "x", "kind": "volcano"},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["errors"][0]["loc"][-1] == "kind"


def test_domain_refusal_is_409_with_the_rule(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/locations",
        {"site": "A1", "code": "STK", "name": "x", "kind": "stock"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"


def test_patch_and_deactivate_location(client, admin_a, site_a):
    client.force_login(admin_a)
    location = Location.objects.get(site=site_a, code="SCR")
    response = client.patch(
        f"/api/v1/locations/{location.pk}",
        {"name_en": "Scrap cage"},
        content_type="application/json",
    )
    assert response.json()["name_en"] == "Scrap cage"
    assert response.json()["name"] == location.name
    response = client.post(
        f"/api/v1/locations/{location.pk}/active",
        {"active": False},
        content_type="application/json",
    )
    assert response.json()["is_active"] is False


def test_list_locations_filters_and_paginates(client, qa_a, site_a):
    client.force_login(qa_a)
    body = client.get("/api/v1/locations", {"kind": "stock", "page_size": 1}).json()
    assert body["count"] == 1 and body["items"][0]["code"] == "STK"
    body = client.get("/api/v1/locations", {"page_size": 3, "page": 2}).json()
    assert body["count"] == 7 and len(body["items"]) == 3


def test_openapi_documents_the_error_responses(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/locations"]["post"]["responses"]
    assert {"201", "403", "409", "422"} <= set(responses)
    assert client.get("/api/v1/docs").status_code == 200


def test_unauthenticated_api_answers_401(client, site_a):
    response = client.get("/api/v1/sites")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_create_site_by_api_with_its_default_locations(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/sites",
        {"code": "sz2", "name": "深圳二厂", "time_zone": "Asia/Shanghai"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "SZ2"
    site = Site.objects.get(code="SZ2")
    assert site.organization_id == site_a.organization_id
    assert set(site.locations.values_list("code", flat=True)) == {
        code for code, *_rest in DEFAULT_LOCATIONS
    }
    assert Membership.objects.filter(site=site, user=admin_a, role=Role.SYSTEM_ADMIN).exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"code": "A1", "name": "again"}, 409),
        ({"code": "SZ2", "name": "x", "time_zone": "Mars/Olympus"}, 422),
        ({"code": "has space", "name": "x"}, 422),
    ],
)
def test_refused_site_writes_nothing(client, admin_a, site_a, body, status):
    client.force_login(admin_a)
    before = (Site.objects.count(), Location.objects.count(), Membership.objects.count())
    response = client.post("/api/v1/sites", body, content_type="application/json")
    assert response.status_code == status, response.content
    assert (Site.objects.count(), Location.objects.count(), Membership.objects.count()) == before


def test_qa_manager_may_not_create_sites(client, qa_a):
    client.force_login(qa_a)
    response = client.post(
        "/api/v1/sites", {"code": "SZ2", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Site.objects.filter(code="SZ2").exists()
