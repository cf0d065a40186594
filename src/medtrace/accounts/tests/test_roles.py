from fnmatch import fnmatchcase

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import Permission

from medtrace import settings as production_settings
from medtrace.accounts.roles import ROLE_PERMISSIONS, Role
from medtrace.accounts.services import create_user
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import services as org_services

pytestmark = pytest.mark.django_db


def all_permission_names():
    return {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


def test_every_role_pattern_matches_a_real_permission():
    names = all_permission_names()
    for role, patterns in ROLE_PERMISSIONS.items():
        for pattern in patterns:
            assert any(fnmatchcase(name, pattern) for name in names), (role, pattern)


def test_every_role_is_declared():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_permissions_hold_only_at_the_site_of_the_grant(make_user, site_a, site_b):
    clerk = make_user("clerk", (site_a, Role.WAREHOUSE_CLERK))
    assert clerk.has_perm("org.add_location", site_a)
    assert not clerk.has_perm("org.add_location", site_b)
    assert clerk.has_perm("org.add_location")
    assert not clerk.has_perm("org.add_site")


def test_auditor_reads_everything_and_changes_nothing(make_user, site_a):
    auditor = make_user("aud", (site_a, Role.AUDITOR))
    names = all_permission_names()
    for name in names:
        expected = name.partition(".")[2].startswith("view_") or name == "accounts.add_apitoken"
        assert auditor.has_perm(name, site_a) is expected, name


def test_revoked_role_and_inactive_user_grant_nothing(make_user, site_a, admin_a):
    clerk = make_user("clerk", (site_a, Role.WAREHOUSE_CLERK))
    membership = clerk.memberships.get()
    org_services.revoke_role(membership=membership, by=admin_a)
    assert not clerk.has_perm("org.view_site", site_a)
    other = make_user("other", (site_a, Role.AUDITOR))
    other.is_active = False
    assert not other.has_perm("org.view_site", site_a)


def test_admin_site_is_for_system_administrators_only(client, admin_a, qa_a):
    client.force_login(qa_a)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_a)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/org/location/").status_code == 200


def test_passwords_are_hashed_with_argon2_in_production():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("s3cret-enough", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("s3cret-enough", encoded)


def test_weak_password_and_taken_username_are_refused(organization):
    with pytest.raises(DomainError) as weak:
        create_user(organization=organization, username="li", password="123")
    assert weak.value.code == ErrorCode.VALIDATION
    create_user(organization=organization, username="li", password="A-long-enough-pass-1")
    with pytest.raises(DomainError) as taken:
        create_user(organization=organization, username="LI", password="A-long-enough-pass-1")
    assert taken.value.code == ErrorCode.DUPLICATE
