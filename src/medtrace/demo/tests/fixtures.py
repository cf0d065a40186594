"""The demo plant as a test fixture, built once per test process and restored for each test.

Building the plant takes seconds (it signs, inspects and ships a year of work); dozens of tests
read it (demo assertions per app, every browser test). The first test in a process builds it
and keeps a copy of the database and the data dir; each later test gets that copy back:
SQLite's backup API for the in-memory test database, a template database on PostgreSQL.
Tests run in real transactions (transactional_db), so the plant is committed and a live server
sees it.
"""

import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, connections

from medtrace.demo import DemoPlant, generate


class DatabaseCopy:
    """A copy of the test database as it is now, to be put back later: SQLite's backup API
    for the in-memory database, a template database beside it on PostgreSQL."""

    def __init__(self, label: str):
        if connection.vendor == "sqlite":
            self.sqlite: sqlite3.Connection | None = sqlite3.connect(
                ":memory:", check_same_thread=False
            )
            self.template = None
            connection.ensure_connection()
            connection.connection.backup(self.sqlite)
        else:
            self.sqlite = None
            # Statistics travel with the copy: gathered now, every test restored from it plans
            # its queries alike. Without them, what autovacuum happened to have analyzed when
            # the copy was taken decided the plans (one risk test took 4 s in a run, 249 s in
            # the next, its lot queries planned as loops over tables thought empty).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            name = connection.settings_dict["NAME"]
            self.template = f"{name}_{label}"
            _postgres_admin(
                f'DROP DATABASE IF EXISTS "{self.template}"',
                copy=(name, f'CREATE DATABASE "{self.template}" TEMPLATE "{name}"'),
            )

    def put_back(self) -> None:
        if self.sqlite is not None:
            connection.ensure_connection()
            self.sqlite.backup(connection.connection)
        else:
            name = connection.settings_dict["NAME"]
            _postgres_admin(
                f'DROP DATABASE "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"',
            )

    def discard(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        else:
            _postgres_admin(f'DROP DATABASE IF EXISTS "{self.template}"')


@dataclass
class _Snapshot:
    plant: DemoPlant
    data_dir: Path
    database: DatabaseCopy


_snapshot: _Snapshot | None = None


@pytest.fixture
def demo_plant(transactional_db, settings, _demo_template_dropped_at_exit):
    """The demo plant (users qa, operator, admin, … at SZ01/SZ02/DC01), committed."""
    return committed_demo_plant(Path(settings.DATA_DIR))


def committed_demo_plant(data_dir: Path) -> DemoPlant:
    """Commit the demo plant into the test database and its files into `data_dir`: built by
    the first call in a process, a copy put back by every later one."""
    global _snapshot
    if _snapshot is None:
        plant = generate()
        kept = Path(tempfile.mkdtemp(prefix="medtrace-demo-data-"))
        if data_dir.exists():
            shutil.copytree(data_dir, kept, dirs_exist_ok=True)
        _snapshot = _Snapshot(plant=plant, data_dir=kept, database=DatabaseCopy("demo"))
    else:
        shutil.copytree(_snapshot.data_dir, data_dir, dirs_exist_ok=True)
        _snapshot.database.put_back()
    return _snapshot.plant


COPY_ATTEMPTS = 5


def _postgres_admin(*statements: str, copy: tuple[str, str] | None = None) -> None:
    """Run statements from the maintenance database: a database cannot be copied or replaced
    while anyone, this process included, is connected to it. `copy` is (source database, the
    CREATE ... TEMPLATE statement): the source's other sessions (a live server's request
    thread still finishing) are ended first, and the copy tried again if one comes back."""
    import psycopg

    connections.close_all()
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        for statement in statements:
            admin.execute(statement)
        if copy is None:
            return
        source, statement = copy
        for attempt in range(COPY_ATTEMPTS):
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            try:
                admin.execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                if attempt == COPY_ATTEMPTS - 1:
                    raise
                time.sleep(0.2)


@pytest.fixture(scope="session")
def _demo_template_dropped_at_exit(django_db_setup, django_db_blocker):
    """The PostgreSQL copy lives beside the test database: drop it with the test database."""
    yield
    if _snapshot is not None:
        with django_db_blocker.unblock():
            _snapshot.database.discard()
