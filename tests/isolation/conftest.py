"""The isolation matrix's people and the demo records they must not see.

The demo plant is organization A with everything at its sites (SZ01 above all). Three people
hold every role there is, at different places:
- the insider, at every demo site: proves each route really reaches the record (not a 404 by
  accident), so the outsiders' 404s mean something;
- the neighbour, at a new empty site of the same organization: sees organization-wide master
  data (items, suppliers) but nothing of the demo sites;
- the foreigner, at the only site of a second organization: sees nothing of organization A.
Since both outsiders' own sites are empty, any demo identifier in their answers is a leak.

The plant and the three people are committed once for the whole package (on PostgreSQL a
database copy per test cost about 2 s, over 700 tests); each test runs in a transaction that is
rolled back at its end, so an insider's write never reaches the next test. Leaving the package
puts the database back as it was before.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.test import override_settings
from django.utils import translation

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_api_token, create_user
from medtrace.audit import immutability
from medtrace.demo import DemoPlant
from medtrace.demo.tests.fixtures import DatabaseCopy, committed_demo_plant
from medtrace.jobs.models import Job
from medtrace.jobs.services import enqueue, run_claimed, try_claim
from medtrace.org import services as org_services
from medtrace.org.models import Site

from .probe import Markers, People

PASSWORD = "Isolation-matrix-2026"


def _person(username: str, organization, sites) -> User:
    user = create_user(
        organization=organization, username=username, password=PASSWORD, full_name=username
    )
    for site in sites:
        for role in Role.values:
            org_services.grant_role(user=user, site=site, role=role)
    return user


@dataclass(frozen=True)
class _Matrix:
    plant: DemoPlant
    people: People
    data_dir: Path


@pytest.fixture(scope="package")
def _matrix(django_db_setup, django_db_blocker, tmp_path_factory, _demo_template_dropped_at_exit):
    from django.db import connection

    data_dir = tmp_path_factory.mktemp("isolation") / "data"
    with django_db_blocker.unblock(), translation.override("en"):
        before = DatabaseCopy("before_isolation")
        with override_settings(DATA_DIR=data_dir, MEDIA_ROOT=data_dir / "media"):
            plant = committed_demo_plant(data_dir)
            people = _people(plant)
            immutability.install(connection)
    yield _Matrix(plant=plant, people=people, data_dir=data_dir)
    with django_db_blocker.unblock():
        before.put_back()
        before.discard()


@pytest.fixture
def demo_plant(db, _matrix, settings) -> DemoPlant:
    """The package's committed plant, its files copied into this test's data dir."""
    shutil.copytree(_matrix.data_dir, settings.DATA_DIR, dirs_exist_ok=True)
    return _matrix.plant


@pytest.fixture
def people(demo_plant, _matrix) -> People:
    return _matrix.people


def _people(demo_plant: DemoPlant) -> People:
    organization = demo_plant.organization
    neighbour_site = org_services.create_site(
        organization=organization, code="ZZA1", name="隔离测试厂", name_en="Isolation plant"
    )
    other, _created = org_services.ensure_organization(
        name="隔离测试公司", name_en="Isolation Outsiders Co."
    )
    foreign_site = org_services.create_site(
        organization=other, code="ZZX1", name="外部厂", name_en="Outsiders' plant"
    )
    for site in (neighbour_site, foreign_site):
        org_services.create_default_locations(site=site)
    # The demo has run no background job yet; one started by its administrator, run (so that it
    # has a log) and one waiting.
    admin = demo_plant.users["admin"]
    ran = enqueue("sessions.clear_expired", by=admin)
    assert try_claim(ran.pk, status=ran.status, worker_id="isolation", now=ran.run_after)
    run_claimed(Job.objects.get(pk=ran.pk))
    enqueue("sessions.clear_expired", by=admin)
    create_api_token(
        user=admin,
        name="ERP",
        sites=[demo_plant.sites["SZ01"]],
        can_write=False,
        expires_in_days=30,
        by=admin,
    )
    return People(
        insider=_person("iso-insider", organization, demo_plant.sites.values()),
        neighbour=_person("iso-neighbour", organization, [neighbour_site]),
        foreigner=_person("iso-foreigner", other, [foreign_site]),
        neighbour_site=neighbour_site,
        foreign_site=foreign_site,
    )


@pytest.fixture
def bearer(people):
    """bearer(user) -> the Authorization header of a read-write token for all their sites."""

    def header(user: User) -> dict[str, str]:
        sites = Site.objects.filter(memberships__user=user).distinct()
        _token, secret = create_api_token(
            user=user, name="isolation", sites=sites, can_write=True, expires_in_days=1, by=user
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return header


# Identifiers of site-owned records (record numbers, lot numbers, serials, SSCCs, equipment) and
# of organization-wide ones (master data): long and distinctive enough that finding one in an
# answer cannot be chance.
SITE_FIELDS = ("number", "lot_number", "serial", "sscc")
ORGANIZATION_FIELDS = {
    "catalog.Item": "code",
    "catalog.DeviceIdentifier": "value",
    "partners.Supplier": "code",
    "partners.Customer": "code",
    "partners.SupplierAudit": "number",
    "partners.SupplierEvaluation": "number",
    "partners.SupplierCertificate": "number",
    "quality.InspectionPlan": "code",
    "integration.Subscription": "name",
    "accounts.User": "full_name",
}
SHORTEST = 6


def _values(model, field: str, **where) -> set[str]:
    rows = model._default_manager.filter(**where).values_list(field, flat=True)
    return {str(value) for value in rows if value and len(str(value)) >= SHORTEST}


_markers: dict[int, Markers] = {}


@pytest.fixture
def markers(demo_plant, people) -> Markers:
    """Computed once per process: every test starts from the same restored demo plant."""
    if demo_plant.organization.pk not in _markers:
        _markers[demo_plant.organization.pk] = _markers_of(demo_plant)
    return _markers[demo_plant.organization.pk]


def _markers_of(demo_plant) -> Markers:
    organization = demo_plant.organization
    of_sites: set[str] = set()
    for model in apps.get_models():
        names = {field.name for field in model._meta.concrete_fields}
        if not model.__module__.startswith("medtrace") or "site" not in names:
            continue
        for field in SITE_FIELDS:
            if field in names:
                of_sites |= _values(model, field, site__organization=organization)
    of_sites |= _values(apps.get_model("equipment.Equipment"), "code")
    of_organization = {organization.name, organization.name_en}
    for label, field in ORGANIZATION_FIELDS.items():
        of_organization |= _values(apps.get_model(label), field, organization=organization)
    # An equipment code inside an inspection plan's code (EXT-01 in IP-EXT-01) is not a leak.
    of_sites = {code for code in of_sites if not any(code in other for other in of_organization)}
    return Markers(of_sites=frozenset(of_sites), of_organization=frozenset(of_organization))
