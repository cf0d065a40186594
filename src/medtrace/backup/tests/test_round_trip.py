"""Backup → restore → verify, as an operator runs it: `medtrace` in fresh processes on real
data dirs, on the database the suite runs on (a throwaway SQLite file, or new databases on the
PostgreSQL server of the PostgreSQL run)."""

import base64
import json
import os
import subprocess
import sys
import uuid
from functools import partial
from pathlib import Path

import pytest
from django.db import connection

from medtrace.backup.archive import BackupError

ADMIN_PASSWORD = "Backup-round-trip-2026"
SOP = b"%PDF-1.7\n% SOP-001 rev C\n" * 40


def _medtrace(*args, data_dir, database_url=None, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDTRACE_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update({"MEDTRACE_DATA_DIR": str(data_dir), "COLUMNS": "200", **env})
    if database_url:
        environment["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "medtrace", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def _count_entries(medtrace):
    """How many audit entries the installation holds, and the last one's action."""
    code = (
        "from medtrace.audit.models import AuditEntry as E;"
        "print(E.objects.count(), E.objects.order_by('pk').last().action)"
    )
    result = medtrace("manage", "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    count, last = result.stdout.split()[-2:]
    return int(count), last


def _repacked(source: Path, out: Path, change) -> Path:
    """The backup at `source` unpacked, changed by `change(folder)` and packed again with a
    manifest that matches: every checksum holds, so only the restore's own checks can refuse."""
    from medtrace.backup import archive

    folder = out.with_suffix(".d")
    manifest = archive.read(source, into=folder).manifest
    change(folder)
    archive.write(out, folder, {key: value for key, value in manifest.items() if key != "files"})
    return out


def _bad_public_key(folder: Path) -> None:
    (folder / "keys" / "audit-1.pub").write_text("not-a-key\n", encoding="ascii")


def _forged_checkpoint(folder: Path) -> None:
    stored = next((folder / "audit-checkpoints").glob("checkpoint-*.json"))
    document = json.loads(stored.read_text())
    document["created_at"] = "2026-01-01T00:00:00Z"  # vouching for a moment it never signed
    stored.write_text(json.dumps(document))


def _foreign_checkpoint(folder: Path) -> None:
    for public_key in (folder / "keys").glob("*.pub"):
        public_key.write_text(base64.b64encode(bytes(32)).decode() + "\n", encoding="ascii")


TAMPERED = [
    ("bad-key.tar.gz", _bad_public_key, "audit-1.pub: not a public key"),
    ("forged.tar.gz", _forged_checkpoint, "a checkpoint in the backup cannot be read"),
    ("foreign.tar.gz", _foreign_checkpoint, "signed by another key"),
]


@pytest.fixture
def empty_databases(db):
    """Two empty databases of the suite's kind: (source URL, target URL); None for SQLite,
    whose database is the data dir's file."""
    if connection.vendor == "sqlite":
        yield None, None
        return
    import psycopg

    settings = connection.settings_dict
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    admin = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    address = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    yield tuple(f"postgres://{credentials}@{address}/{name}" for name in names)
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db
def test_backup_restore_verify(tmp_path, empty_databases):
    source_url, target_url = empty_databases
    source, target = tmp_path / "plant", tmp_path / "recovered"
    at_source = partial(_medtrace, data_dir=source, database_url=source_url)
    at_target = partial(_medtrace, data_dir=target, database_url=target_url)

    made = at_source("init", MEDTRACE_ADMIN_PASSWORD=ADMIN_PASSWORD)
    assert made.returncode == 0, made.stderr
    assert at_source("audit", "checkpoint").returncode == 0
    token = at_source("token", "create", "admin", "--sites", "MAIN")
    assert token.returncode == 0, token.stderr  # an audited write after the first checkpoint
    uploaded = source / "media" / "documents" / "SOP-001.pdf"
    uploaded.parent.mkdir(parents=True)
    uploaded.write_bytes(SOP)

    archive = tmp_path / "offsite" / "nightly.tar.gz"
    backup = at_source("backup", "--out", str(archive))
    assert backup.returncode == 0, backup.stderr
    assert "audit chain" in backup.stdout and archive.exists()
    entries, last = _count_entries(at_source)
    assert last == "backup"
    again = at_source("backup", "--out", str(archive))
    assert again.returncode == 1 and "never overwrites" in again.stderr

    checked = at_target("restore", "--check", str(archive))
    assert checked.returncode == 0, checked.stderr
    assert "files match their checksums" in checked.stdout

    damaged = tmp_path / "damaged.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    refused = at_target("restore", str(damaged))
    assert refused.returncode == 1
    assert "damaged" in refused.stderr and "Traceback" not in refused.stderr
    assert not (target / "media").exists() and not (target / "audit-checkpoints").exists()

    for name, change, refusal in TAMPERED:
        tampered = _repacked(archive, tmp_path / name, change)
        refused = at_target("restore", str(tampered))
        assert refused.returncode == 1 and refusal in refused.stderr, (name, refused.stdout)
        assert "Traceback" not in refused.stderr
        assert not (target / "media").exists() and not (target / "audit-checkpoints").exists()

    restored = at_target("restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "checkpoint(s) agree" in restored.stdout
    assert (target / "media" / "documents" / "SOP-001.pdf").read_bytes() == SOP
    assert (target / "audit_signing_key.pem").read_bytes() != (
        source / "audit_signing_key.pem"
    ).read_bytes()  # a new key: the old one's public part vouches for the old checkpoints
    assert _count_entries(at_target) == (entries + 1, "restore")

    verified = at_target("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "checkpoint(s) agree" in verified.stdout
    assert "; 0 checkpoint(s)" not in verified.stdout
    health = at_source("check").stdout
    assert "ok   last backup: " in health and "nightly.tar.gz" in health

    twice = at_target("restore", str(archive))
    assert twice.returncode == 1 and "empty database only" in twice.stderr
    assert _count_entries(at_target) == (entries + 1, "restore")


def test_a_restore_refuses_a_backup_of_the_other_database_kind(tmp_path, db, settings):
    from medtrace.backup import services

    settings.MEDIA_ROOT = tmp_path / "media"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(BackupError, match=f"backup of a {other} database"):
        services._check_restorable(
            {
                "database": {"vendor": other, "migrations": []},
                "created_at": "2026-12-01T02:00:00Z",
                "medtrace_version": "0.1.0",
            }
        )


def test_a_restore_refuses_a_backup_from_a_newer_schema(tmp_path, db, settings):
    from medtrace.backup import services

    with pytest.raises(BackupError, match=r"quality\.9999_from_the_future"):
        services._check_restorable(
            {
                "database": {
                    "vendor": connection.vendor,
                    "migrations": ["audit.0001_initial", "quality.9999_from_the_future"],
                },
                "created_at": "2030-01-01T02:00:00Z",
                "medtrace_version": "9.0.0",
            }
        )
