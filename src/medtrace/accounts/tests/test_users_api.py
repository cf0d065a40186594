"""The user administration the user pages offer, through the API: the same services, the same
site scoping, the same refusals."""

import pytest
from django.utils import timezone

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role
from medtrace.accounts.services import set_user_active
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Membership

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "username": "li.na",
    "full_name": "李娜",
    "email": "li.na@example.com",
    "password": "Quality-first-2026",
    "site": "A1",
    "role": Role.QA_INSPECTOR,
}


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_admin_creates_a_person_with_their_first_role(client, admin_a, site_a):
    client.force_login(admin_a)
    response = post(client, "/api/v1/users", NEW_PERSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "li.na"
    assert [(r["site"], r["role"]) for r in body["roles"]] == [("A1", Role.QA_INSPECTOR)]
    assert "password" not in body
    person = User.objects.get(username="li.na")
    assert person.check_password("Quality-first-2026")
    assert person.organization_id == site_a.organization_id
    assert AuditEntry.objects.filter(object_id=str(person.pk), action=AuditAction.CREATE).exists()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"password": "short"}, 422, "validation_error"),
        ({"role": "emperor"}, 422, "validation_error"),
        ({"username": "has space"}, 422, "validation_error"),
        ({"email": "not-an-address"}, 422, "validation_error"),
        ({"site": "ZZ"}, 404, "not_found"),
    ],
)
def test_refused_person_leaves_nobody_behind(client, admin_a, change, status, code):
    client.force_login(admin_a)
    response = post(client, "/api/v1/users", NEW_PERSON | change)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert not User.objects.filter(username__in=["li.na", "has space"]).exists()


def test_a_taken_username_is_refused_by_name(client, admin_a, qa_a):
    client.force_login(admin_a)
    response = post(client, "/api/v1/users", NEW_PERSON | {"username": "QA-A"})
    assert response.status_code == 409
    assert "QA-A" in response.json()["error"]["message"]


def test_qa_manager_may_not_create_people(client, qa_a):
    client.force_login(qa_a)
    response = post(client, "/api/v1/users", NEW_PERSON)
    assert response.status_code == 403
    assert "accounts.add_user" in response.json()["error"]["message"]
    assert not User.objects.filter(username="li.na").exists()


def test_list_and_read_people_within_the_viewers_sites(client, admin_a, qa_a, qa_b, stranger):
    client.force_login(admin_a)
    listed = client.get("/api/v1/users").json()["items"]
    assert {person["username"] for person in listed} == {"admin-a", "qa-a"}
    assert client.get(f"/api/v1/users/{qa_b.pk}").status_code == 404
    assert client.get(f"/api/v1/users/{stranger.pk}").status_code == 404
    assert client.get(f"/api/v1/users/{qa_a.pk}").json()["roles"][0]["role"] == Role.QA_MANAGER
    active_at_a1 = client.get("/api/v1/users?site=A1&active=true").json()["items"]
    assert [person["username"] for person in active_at_a1] == ["admin-a", "qa-a"]
    User.objects.filter(pk=qa_a.pk).update(is_active=False)
    inactive = client.get("/api/v1/users?active=false").json()["items"]
    assert [person["username"] for person in inactive] == ["qa-a"]


def test_grant_and_revoke_a_role(client, admin_a, qa_a, site_a):
    client.force_login(admin_a)
    response = post(
        client, f"/api/v1/users/{qa_a.pk}/roles", {"site": "A1", "role": Role.QA_INSPECTOR}
    )
    assert response.status_code == 201, response.content
    granted = Membership.objects.get(user=qa_a, role=Role.QA_INSPECTOR, revoked_at__isnull=True)
    response = post(client, f"/api/v1/users/{qa_a.pk}/roles/{granted.pk}/revoke")
    assert response.status_code == 200, response.content
    granted.refresh_from_db()
    assert granted.revoked_by == admin_a
    revoked = [r for r in response.json()["roles"] if r["id"] == granted.pk]
    assert revoked[0]["revoked_at"] is not None
    assert (
        AuditEntry.objects.filter(
            object_id=str(granted.pk), action=AuditAction.PERMISSION_CHANGE
        ).count()
        == 2
    )
    again = post(client, f"/api/v1/users/{qa_a.pk}/roles/{granted.pk}/revoke")
    assert again.status_code == 409


def test_roles_cannot_be_granted_at_another_site(client, admin_a, qa_a, site_b):
    client.force_login(admin_a)
    response = post(
        client, f"/api/v1/users/{qa_a.pk}/roles", {"site": "B1", "role": Role.QA_INSPECTOR}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=qa_a, site=site_b).exists()


def test_the_last_system_administrator_stays(client, admin_a):
    client.force_login(admin_a)
    own = Membership.objects.get(user=admin_a, role=Role.SYSTEM_ADMIN)
    response = post(client, f"/api/v1/users/{admin_a.pk}/roles/{own.pk}/revoke")
    assert response.status_code == 409
    own.refresh_from_db()
    assert own.revoked_at is None


def test_deactivate_reactivate_and_not_oneself(client, admin_a, qa_a):
    client.force_login(admin_a)
    response = post(client, f"/api/v1/users/{qa_a.pk}/active", {"active": False})
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    qa_a.refresh_from_db()
    assert not qa_a.is_active
    assert post(client, f"/api/v1/users/{qa_a.pk}/active", {"active": True}).json()["is_active"]
    response = post(client, f"/api/v1/users/{admin_a.pk}/active", {"active": False})
    assert response.status_code == 409
    admin_a.refresh_from_db()
    assert admin_a.is_active


def test_people_of_another_site_cannot_be_deactivated(client, make_user, site_a, site_b, qa_b):
    both = make_user(
        "admin-ab", (site_a, Role.SYSTEM_ADMIN), (site_b, Role.AUDITOR)
    )  # sees site B's people, may change only site A's
    client.force_login(both)
    response = post(client, f"/api/v1/users/{qa_b.pk}/active", {"active": False})
    assert response.status_code == 403
    assert "administer none of the sites where Qa-B" in response.json()["error"]["message"]
    qa_b.refresh_from_db()
    assert qa_b.is_active
    with pytest.raises(DomainError) as refused:  # the service's own rule, whoever calls it
        set_user_active(user=qa_b, active=False, by=both)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_unlock_a_locked_account(client, admin_a, qa_a):
    User.objects.filter(pk=qa_a.pk).update(locked_at=timezone.now(), failed_logins=5)
    client.force_login(admin_a)
    response = post(client, f"/api/v1/users/{qa_a.pk}/unlock")
    assert response.status_code == 200, response.content
    assert response.json()["locked_at"] is None
    qa_a.refresh_from_db()
    assert not qa_a.is_locked and qa_a.failed_logins == 0
    assert AuditEntry.objects.filter(
        object_id=str(qa_a.pk), action=AuditAction.ACCOUNT_UNLOCKED, actor=admin_a
    ).exists()
    assert post(client, f"/api/v1/users/{qa_a.pk}/unlock").status_code == 409


def test_a_qa_manager_sees_but_may_not_unlock(client, qa_a, make_user, site_a):
    locked = make_user("locked", (site_a, Role.OPERATOR))
    User.objects.filter(pk=locked.pk).update(locked_at=timezone.now())
    client.force_login(qa_a)
    response = post(client, f"/api/v1/users/{locked.pk}/unlock")
    assert response.status_code == 403  # sees the people of A1, may not change them
    assert "accounts.change_user" in response.json()["error"]["message"]
    locked.refresh_from_db()
    assert locked.is_locked
