"""A consistent copy of the database, and loading one into an empty database.

SQLite: the online backup API copies a consistent snapshot while the server keeps writing.
PostgreSQL: pg_dump's custom format (one snapshot, compressed), loaded by pg_restore in a
single transaction, so a failed restore leaves the database as empty as it was."""

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump/pg_restore only
from pathlib import Path

from django.db import connection

from medtrace.backup.archive import BackupError

SQLITE_FILE = "database/medtrace.sqlite3"
POSTGRES_FILE = "database/medtrace.pgdump"


def vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of a {connection.vendor} database are not supported")
    return connection.vendor


def dump(staging: Path) -> str:
    """Write the copy under `staging`; the member name it has in the archive."""
    if vendor() == "sqlite":
        target = staging / SQLITE_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return SQLITE_FILE
    target = staging / POSTGRES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")
    return POSTGRES_FILE


def is_empty() -> bool:
    """No table yet: the only database a restore may fill."""
    return not connection.introspection.table_names()


def load(copy: Path) -> None:
    if vendor() == "sqlite":
        _load_sqlite(copy)
    else:
        connection.close()
        _run(
            "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", "--dbname", connection.settings_dict["NAME"], str(copy),
        )  # fmt: skip


def _load_sqlite(copy: Path) -> None:
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"the database copy fails SQLite's integrity check: {verdict}")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database copy cannot be read ({exc})") from None
    finally:
        source.close()


def client(program: str) -> str:
    """pg_dump or pg_restore: from PG_BINDIR, else the newest Debian install (a client older
    than the server refuses to dump it), else PATH."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / program)
    newest_first = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{program}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(path) for path in newest_first]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} not found; install the PostgreSQL client (postgresql-client) or set"
            " PG_BINDIR"
        )
    return found


def _run(program: str, *arguments: str) -> None:
    settings = connection.settings_dict
    # The password goes through the environment: on the command line `ps` would show it.
    environment = os.environ | {
        name: str(value)
        for name, value in {
            "PGHOST": settings.get("HOST"),
            "PGPORT": settings.get("PORT"),
            "PGUSER": settings.get("USER"),
            "PGPASSWORD": settings.get("PASSWORD"),
            "PGDATABASE": settings.get("NAME"),
        }.items()
        if value
    }
    result = subprocess.run(  # nosec B603 # argv list, no shell, client() resolves the program
        [client(program), *arguments], capture_output=True, text=True, env=environment
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        raise BackupError(f"{program} failed: {message or f'exit status {result.returncode}'}")
