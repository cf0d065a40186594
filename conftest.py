"""Shared by every app's tests: an organization with two sites and personas, and the report
header line naming the database the run uses."""

import os
import sqlite3
import time

# The CLI's rich console wraps at the terminal's width, which a test worker without a terminal
# does not have: one wide width, so CLI tests read whole lines however pytest runs them.
os.environ["COLUMNS"] = "200"

import pytest
from django.conf import settings

from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.demo.tests.fixtures import _demo_template_dropped_at_exit, demo_plant  # noqa: F401
from medtrace.org import services as org_services
from tests.smtp import smtp_server  # noqa: F401  (a real local SMTP server)

PASSWORD = "Correct-horse-battery-9"


def pytest_report_header(config):
    """Say which database this run uses: the suite runs twice (SQLite, PostgreSQL) and a log
    must show which one passed."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"database: sqlite {sqlite3.sqlite_version} (test database in memory)"
    if db["ENGINE"].endswith("postgresql"):
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        version = _postgres_version(db)
        return f"database: postgresql {version} at {where} (test database test_{db['NAME']})"
    return f"database: {db['ENGINE']}"


def _postgres_version(db) -> str:
    # The Django connection is blocked outside tests by pytest-django; ask psycopg directly.
    import psycopg

    try:
        with psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname=db["NAME"],
            connect_timeout=5,
        ) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as error:
        return f"(server version unknown: {str(error).strip()})"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, settings):
    """A data dir per test, uploads and generated files included: audit checkpoints, the signing
    key and files never leak between tests (nor between the workers of a parallel run, which
    share the session's MEDTRACE_DATA_DIR)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    return settings.DATA_DIR


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in Chinese must not leak into the next test."""
    from django.utils import translation

    with translation.override("en"):
        yield


REMOVE_ATTEMPTS = 100


@pytest.fixture
def transactional_db(transactional_db):
    """Django empties the tables after a transactional test (live server, concurrency); the
    audit tables refuse DELETE, so their triggers step aside for that flush only."""
    from django.db import OperationalError, connection

    from medtrace.audit import immutability

    immutability.install(connection)
    yield
    # A live server's request thread may still be reading SQLite's shared in-memory database
    # when the test ends, and its read locks the schema: wait for it rather than leave
    # triggers behind that make the flush fail. (IF EXISTS makes a second try safe.)
    for attempt in range(REMOVE_ATTEMPTS):
        try:
            immutability.remove(connection)
            return
        except OperationalError as error:
            if "locked" not in str(error) or attempt == REMOVE_ATTEMPTS - 1:
                raise
            time.sleep(0.1)


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


@pytest.fixture
def stranger(db):
    """A QA manager of another organization (its site X1): sees nothing of ours."""
    other, _created = org_services.ensure_organization(name="另一家公司", name_en="Other Co.")
    site = org_services.create_site(organization=other, code="X1", name="X 厂")
    user = create_user(organization=other, username="outsider", password=PASSWORD)
    org_services.grant_role(user=user, site=site, role=Role.QA_MANAGER)
    return user
