import pytest

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_admin_creates_a_user_with_a_role(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "zhang.san",
            "full_name": "张三",
            "password": "A-long-enough-pass-1",
            "site": site_a.pk,
            "role": Role.OPERATOR,
        },
    )
    person = User.objects.get(username="zhang.san")
    assert response["Location"] == f"/accounts/users/{person.pk}/"
    assert person.has_perm("org.view_location", site_a)
    assert person.check_password("A-long-enough-pass-1")


def test_weak_password_leaves_no_user(client, admin_a, site_a):
    client.force_login(admin_a)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "weak",
            "full_name": "W",
            "password": "123",
            "site": site_a.pk,
            "role": "operator",
        },
    )
    assert response.status_code == 200
    assert "too weak" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_grant_revoke_and_deactivate(client, admin_a, qa_a, site_a):
    client.force_login(admin_a)
    client.post(f"/accounts/users/{qa_a.pk}/roles/", {"site": site_a.pk, "role": Role.AUDITOR})
    auditor = qa_a.memberships.get(role=Role.AUDITOR)
    client.post(f"/accounts/users/{qa_a.pk}/roles/{auditor.pk}/revoke/")
    auditor.refresh_from_db()
    assert auditor.revoked_by == admin_a
    page = client.get(f"/accounts/users/{qa_a.pk}/").content.decode()
    assert "Auditor (read-only)" in page
    client.post(f"/accounts/users/{qa_a.pk}/active/", {"active": "0"})
    qa_a.refresh_from_db()
    assert not qa_a.is_active


def test_admin_cannot_deactivate_themself(client, admin_a):
    client.force_login(admin_a)
    client.post(f"/accounts/users/{admin_a.pk}/active/", {"active": "0"})
    admin_a.refresh_from_db()
    assert admin_a.is_active


def test_users_of_other_sites_are_invisible(client, admin_a, qa_b):
    client.force_login(admin_a)
    assert client.get(f"/accounts/users/{qa_b.pk}/").status_code == 404
    assert "qa-b" not in client.get("/accounts/users/").content.decode()


def test_operator_cannot_manage_users(client, operator_a, qa_a):
    client.force_login(operator_a)
    assert client.get("/accounts/users/").status_code == 403
    assert client.post(f"/accounts/users/{qa_a.pk}/active/", {"active": "0"}).status_code == 403


def test_sign_in_and_out(client, qa_a):
    from conftest import PASSWORD

    response = client.post("/accounts/login/", {"username": "qa-a", "password": PASSWORD})
    assert response["Location"] == "/"
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_wrong_password_is_refused(client, qa_a):
    response = client.post("/accounts/login/", {"username": "qa-a", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
