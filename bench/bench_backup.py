"""Backup and restore times, the figures behind the disaster-recovery runbook's RPO and RTO
(docs/disaster-recovery.md). On the synthetic plant of bench_recall.py: `medtrace backup`'s
work in-process (checkpoint, consistent copy, archive with checksums), then `medtrace restore`
into an empty installation as an operator runs it (a fresh process: check every byte, load,
migrate, verify every audit chain against the checkpoint). Goals: a backup of the 100k-unit
plant ≤ 60 s (so hourly backups cost little); restore and verification ≤ 5 min.

    python bench/bench_backup.py --units 20000                      # SQLite
    scripts/with-postgres python bench/bench_backup.py --units 100000 --hospitals 500
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from bench_recall import build_plant, plant_arguments  # noqa: E402
from django.db import connection  # noqa: E402

from medtrace.audit.models import AuditEntry  # noqa: E402
from medtrace.backup import services  # noqa: E402
from medtrace.trace.models import TraceEvent  # noqa: E402

BACKUP_GOAL_S = 60
RESTORE_GOAL_S = 300


def database_size() -> int:
    if connection.vendor == "sqlite":
        return Path(connection.settings_dict["NAME"]).stat().st_size
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def empty_target() -> dict:
    """The environment of a restore into a new installation (a new PostgreSQL database)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDTRACE_", "DATABASE_URL", "DJANGO_"))
    }
    environment["MEDTRACE_DATA_DIR"] = tempfile.mkdtemp(prefix="medtrace-restored-")
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        name = f"restored_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        environment["DATABASE_URL"] = (
            f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}"
            f":{settings['PORT'] or 5432}/{name}"
        )
    return environment


def main() -> int:
    args = plant_arguments()
    begun = time.perf_counter()
    build_plant(args.units, args.hospitals, args.seed)
    print(f"plant: {args.units:,} units built in {time.perf_counter() - begun:.0f}s")
    print(
        f"database: {connection.vendor}, {database_size() / 1e6:.0f} MB,"
        f" {TraceEvent.objects.count():,} events, {AuditEntry.objects.count():,} audit entries"
    )
    archive = Path(tempfile.mkdtemp(prefix="medtrace-backups-")) / services.default_name()
    begun = time.perf_counter()
    manifest = services.create_backup(archive)
    backup_s = time.perf_counter() - begun
    copied = sum(entry["size"] for entry in manifest["files"])
    print(
        f"backup: {backup_s:.1f}s, {copied / 1e6:.0f} MB copied, archive"
        f" {archive.stat().st_size / 1e6:.0f} MB (goal ≤ {BACKUP_GOAL_S} s)"
        f" {'ok' if backup_s <= BACKUP_GOAL_S else 'SLOW'}"
    )
    begun = time.perf_counter()
    restored = subprocess.run(
        [sys.executable, "-m", "medtrace", "restore", str(archive)],
        capture_output=True,
        text=True,
        env=empty_target(),
    )
    restore_s = time.perf_counter() - begun
    if restored.returncode != 0:
        print(restored.stdout, restored.stderr)
        return 1
    print(
        f"restore + migrate + verify: {restore_s:.1f}s (goal ≤ {RESTORE_GOAL_S} s)"
        f" {'ok' if restore_s <= RESTORE_GOAL_S else 'SLOW'}"
    )
    print("  " + restored.stdout.strip().replace("\n", "\n  "))
    return 0 if backup_s <= BACKUP_GOAL_S and restore_s <= RESTORE_GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
