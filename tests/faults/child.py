"""`medtrace …` with a fault point, for the fault tests: `python -m tests.faults.child serve …`
runs the real command, except that the first transaction committed inside a chosen service
call stops just before its COMMIT, with every write of the operation made and none committed.

There the child writes the marker file (its pid, its PostgreSQL backend, and how many rows
each table holds as its own transaction sees them) and waits, for ever or until the resume
file appears. The test kills it there, or cuts its database connection and lets it go on.

Environment:
    FAULT_PAUSE_IN    "package.module:function" whose call arms the pause (the module's
                      attribute is replaced, so callers that look it up on the module see it)
    FAULT_MARKER      the marker file; only one process of a server pauses (the first)
    FAULT_RESUME      optional: the child goes on when this file exists
    FAULT_SQLITE_TIMEOUT  optional: seconds a SQLite writer waits for the lock (default 20)
"""

import functools
import importlib
import json
import os
import sys
import time
from pathlib import Path

from tests.faults.tables import row_counts

POLL_SECONDS = 0.05

_inside = 0  # how many calls of the armed service are running now


def _arm(target: str) -> None:
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)

    @functools.wraps(original)
    def armed(*args, **kwargs):
        global _inside
        _inside += 1
        try:
            return original(*args, **kwargs)
        finally:
            _inside -= 1

    setattr(module, name, armed)


def _pause_before_commit(marker: Path, resume: Path | None) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper

    commit = BaseDatabaseWrapper.commit

    def commit_or_pause(connection):
        if _inside and _claim(marker):
            _report_and_wait(connection, marker, resume)
        return commit(connection)

    BaseDatabaseWrapper.commit = commit_or_pause


def _claim(marker: Path) -> bool:
    """True for the first process of the server to get here: the other one must run on."""
    try:
        os.close(os.open(f"{marker}.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _report_and_wait(connection, marker: Path, resume: Path | None) -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = row_counts(cursor, tables)
        backend_pid = None
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    report = {"pid": os.getpid(), "backend_pid": backend_pid, "counts": counts}
    written = marker.with_name(marker.name + ".part")
    written.write_text(json.dumps(report))
    written.replace(marker)  # the test never reads half a report
    while resume is None or not resume.exists():
        time.sleep(POLL_SECONDS)


def _set_sqlite_timeout(seconds: str) -> None:
    from django.db import connections

    database = connections["default"].settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database["OPTIONS"]["timeout"] = float(seconds)


def main() -> None:
    from medtrace.cli.common import setup_django

    setup_django()
    if os.environ.get("FAULT_SQLITE_TIMEOUT"):
        _set_sqlite_timeout(os.environ["FAULT_SQLITE_TIMEOUT"])
    if os.environ.get("FAULT_PAUSE_IN"):
        _arm(os.environ["FAULT_PAUSE_IN"])
        resume = os.environ.get("FAULT_RESUME")
        _pause_before_commit(Path(os.environ["FAULT_MARKER"]), Path(resume) if resume else None)

    from medtrace.cli import main as medtrace

    sys.argv = ["medtrace", *sys.argv[1:]]
    medtrace()


if __name__ == "__main__":
    main()
