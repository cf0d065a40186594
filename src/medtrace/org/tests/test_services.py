import pytest

from medtrace.accounts.roles import Role
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import services
from medtrace.org.choices import LocationKind
from medtrace.org.models import Location, Membership, Site

pytestmark = pytest.mark.django_db


def test_new_site_makes_its_creator_system_administrator(organization, admin_a):
    site = services.create_site(organization=organization, code="C9", name="C", by=admin_a)
    assert admin_a.has_perm("org.change_site", site)


def test_duplicate_site_code_is_refused(organization, site_a):
    with pytest.raises(DomainError) as refused:
        services.create_site(organization=organization, code="A1", name="again")
    assert refused.value.code == ErrorCode.DUPLICATE
    assert Site.objects.filter(code="A1").count() == 1


@pytest.mark.parametrize("code", ["", "lower", "WITH SPACE", "-DASH", "X" * 33])
def test_malformed_site_codes_are_refused(organization, code):
    with pytest.raises(DomainError) as refused:
        services.create_site(organization=organization, code=code, name="x")
    assert refused.value.code == ErrorCode.VALIDATION
    assert "code" in refused.value.details["fields"]
    assert not Site.objects.exists()


def test_unknown_time_zone_is_refused(organization):
    with pytest.raises(DomainError) as refused:
        services.create_site(organization=organization, code="TZ", name="x", time_zone="Mars/Base")
    assert "Mars/Base" in str(refused.value.message)
    assert not Site.objects.exists()


def test_location_tree_paths(site_a):
    hall = services.create_location(site=site_a, code="H", name="大厅", kind=LocationKind.AREA)
    rack = services.create_location(
        site=site_a, code="H-R1", name="货架", kind=LocationKind.STOCK, parent=hall
    )
    assert (rack.path, rack.depth) == ("H/H-R1", 1)


def test_parent_from_another_site_is_refused(site_a, site_b):
    foreign = Location.objects.get(site=site_b, code="STK")
    with pytest.raises(DomainError) as refused:
        services.create_location(
            site=site_a, code="X", name="x", kind=LocationKind.STOCK, parent=foreign
        )
    assert refused.value.code == ErrorCode.VALIDATION
    assert not Location.objects.filter(code="X").exists()


def test_duplicate_location_code_is_refused_per_site_only(site_a, site_b):
    with pytest.raises(DomainError) as refused:
        services.create_location(site=site_a, code="STK", name="x", kind=LocationKind.STOCK)
    assert refused.value.code == ErrorCode.DUPLICATE
    assert Location.objects.filter(code="STK").count() == 2


def test_location_with_active_children_cannot_be_deactivated(site_a):
    hall = services.create_location(site=site_a, code="H", name="大厅", kind=LocationKind.AREA)
    rack = services.create_location(
        site=site_a, code="H-R1", name="货架", kind=LocationKind.STOCK, parent=hall
    )
    with pytest.raises(DomainError) as refused:
        services.set_location_active(location=hall, active=False)
    assert refused.value.code == ErrorCode.INVALID_STATE
    services.set_location_active(location=rack, active=False)
    services.set_location_active(location=hall, active=False)
    with pytest.raises(DomainError):
        services.set_location_active(location=rack, active=True)
    with pytest.raises(DomainError):
        services.create_location(site=site_a, code="H-R2", name="x", kind="stock", parent=hall)


def test_last_system_administrator_cannot_be_revoked(admin_a, make_user, site_a):
    only = admin_a.memberships.get()
    with pytest.raises(DomainError) as refused:
        services.revoke_role(membership=only, by=admin_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    second = make_user("admin-2", (site_a, Role.SYSTEM_ADMIN))
    services.revoke_role(membership=only, by=second)
    only.refresh_from_db()
    assert only.revoked_at is not None and only.revoked_by == second


def test_revoked_grant_is_kept_and_can_be_granted_again(qa_a, site_a, admin_a):
    first = qa_a.memberships.get()
    services.revoke_role(membership=first, by=admin_a)
    again = services.grant_role(user=qa_a, site=site_a, role=Role.QA_MANAGER, by=admin_a)
    assert again.pk != first.pk
    assert Membership.objects.filter(user=qa_a).count() == 2


def test_role_at_a_site_of_another_organization_is_refused(qa_a):
    other, _created = services.ensure_organization(name="别家公司")
    foreign = services.create_site(organization=other, code="F1", name="F")
    with pytest.raises(DomainError) as refused:
        services.grant_role(user=qa_a, site=foreign, role=Role.AUDITOR)
    assert refused.value.code == ErrorCode.SITE_NOT_ALLOWED


def test_unknown_role_is_refused(qa_a, site_a):
    with pytest.raises(DomainError):
        services.grant_role(user=qa_a, site=site_a, role="king")
