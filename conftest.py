"""Fixtures shared by every app's tests: an organization with two sites and personas."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.org import services as org_services

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def organization(db):
    organization, _created = org_services.ensure_organization(
        name="测试医疗器械有限公司", name_en="Test Devices Co."
    )
    return organization


@pytest.fixture
def site_a(organization):
    site = org_services.create_site(
        organization=organization, code="A1", name="A 厂", name_en="Plant A"
    )
    org_services.create_default_locations(site=site)
    return site


@pytest.fixture
def site_b(organization):
    site = org_services.create_site(
        organization=organization, code="B1", name="B 厂", name_en="Plant B"
    )
    org_services.create_default_locations(site=site)
    return site


@pytest.fixture
def make_user(organization):
    """make_user("name", (site, Role.X), ...) -> a user holding those roles."""

    def make(username, *grants, password=PASSWORD):
        user = create_user(
            organization=organization,
            username=username,
            password=password,
            full_name=username.title(),
        )
        for site, role in grants:
            org_services.grant_role(user=user, site=site, role=role)
        return user

    return make


@pytest.fixture
def admin_a(make_user, site_a):
    return make_user("admin-a", (site_a, Role.SYSTEM_ADMIN))


@pytest.fixture
def qa_a(make_user, site_a):
    return make_user("qa-a", (site_a, Role.QA_MANAGER))


@pytest.fixture
def qa_b(make_user, site_b):
    return make_user("qa-b", (site_b, Role.QA_MANAGER))


@pytest.fixture
def operator_a(make_user, site_a):
    return make_user("operator-a", (site_a, Role.OPERATOR))
