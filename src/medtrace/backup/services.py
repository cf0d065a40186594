"""Making a backup and restoring one (the CLI's `medtrace backup` and `medtrace restore`)."""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from medtrace import __version__
from medtrace.audit import checkpoints, verification
from medtrace.audit import services as audit
from medtrace.audit.chain import utc_text
from medtrace.audit.choices import AuditAction
from medtrace.backup import archive, databases
from medtrace.backup.archive import BackupError
from medtrace.keys import keyring
from medtrace.keys import services as keys

MEDIA = "media"
KEYS = "keys"


def default_name(now=None) -> str:
    return f"medtrace-backup-{(now or timezone.now()).strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


def create_backup(out: Path, *, actor_name: str = "medtrace backup") -> dict:
    """Write the archive to `out` and answer its manifest. A checkpoint of the audit chains is
    signed first, so the copy holds at least what the checkpoint vouches for and a restore can
    be verified against it."""
    out = out.resolve()
    if out.exists():
        raise BackupError(f"{out} exists; a backup never overwrites a file")
    out.parent.mkdir(parents=True, exist_ok=True)
    _path, checkpoint = audit.write_checkpoint()
    audit.record(
        AuditAction.BACKUP,
        object_type="backup.archive",
        object_id=out.name,
        object_repr=out.name,
        actor_name=actor_name,
        changes={"checkpoint": checkpoint["created_at"]},
    )
    staging = Path(tempfile.mkdtemp(prefix=".medtrace-backup-", dir=out.parent))
    try:
        database_file = databases.dump(staging)
        data_dir = Path(settings.DATA_DIR)
        _copy_tree(Path(settings.MEDIA_ROOT), staging / MEDIA)
        _copy_tree(checkpoints.directory(), staging / checkpoints.DIRECTORY)
        keys = staging / KEYS
        keys.mkdir()
        for number, public_text in enumerate(sorted(checkpoints.trusted_public_keys()), 1):
            (keys / f"audit-{number}.pub").write_text(public_text + "\n", encoding="ascii")
        manifest = {
            "created_at": utc_text(timezone.now()),
            "medtrace_version": __version__,
            "data_dir": str(data_dir),
            "database": {
                "vendor": databases.vendor(),
                "file": database_file,
                "migrations": sorted(
                    f"{app}.{name}"
                    for app, name in MigrationRecorder(connection).applied_migrations()
                ),
            },
            "checkpoint": {"created_at": checkpoint["created_at"], "chains": checkpoint["chains"]},
        }
        archive.write(out, staging, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return archive.read(out).manifest


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


@dataclass(frozen=True)
class Restored:
    manifest: dict
    verification: verification.Result
    checkpoints: int
    # Why personal data cannot be read (the master key is not in the backup: key escrow).
    key_problems: list[str]


def check_backup(path: Path) -> dict:
    """The manifest of a backup whose every file matches its checksum (nothing is written)."""
    return archive.read(path).manifest


def restore_backup(path: Path, *, actor_name: str = "medtrace restore") -> Restored:
    """Fill this (empty) installation from the backup at `path`, bring its schema up to this
    version, and verify the audit chains against the checkpoints restored with it."""
    manifest = archive.read(path).manifest
    _check_restorable(manifest)
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".medtrace-restore-", dir=data_dir))
    try:
        archive.read(path, into=staging)
        public_keys = _checked_keys_and_checkpoints(staging)
        databases.load(staging / manifest["database"]["file"])
        _copy_tree(staging / MEDIA, Path(settings.MEDIA_ROOT))
        _copy_tree(staging / checkpoints.DIRECTORY, checkpoints.directory())
        for public_key in public_keys:
            checkpoints.trust(public_key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    call_command("migrate", interactive=False, verbosity=0)
    documents = [checkpoints.read(stored) for stored in checkpoints.stored()]
    result = verification.verify(checkpoints=documents)
    audit.record(
        AuditAction.RESTORE,
        object_type="backup.archive",
        object_id=Path(path).name,
        object_repr=Path(path).name,
        actor_name=actor_name,
        changes={
            "backup_created_at": manifest["created_at"],
            "medtrace_version": [manifest["medtrace_version"], __version__],
            "verified": result.ok,
        },
    )
    keyring.forget()
    return Restored(
        manifest=manifest,
        verification=result,
        checkpoints=len(documents),
        key_problems=keys.problems(),
    )


def _checked_keys_and_checkpoints(staging: Path) -> list[str]:
    """The public keys of an unpacked backup, once each is one and every checkpoint in it is
    signed by one of them: checked before anything is restored, so a refusal writes nothing."""
    public_keys = []
    for public_key in sorted((staging / KEYS).glob("*.pub")):
        text = public_key.read_text(encoding="ascii", errors="replace").strip()
        try:
            checkpoints.check_public_key(text)
        except checkpoints.CheckpointError as error:
            raise BackupError(f"{public_key.name}: not a public key ({error})") from None
        public_keys.append(text)
    for stored in sorted((staging / checkpoints.DIRECTORY).glob("checkpoint-*.json")):
        try:
            checkpoints.read(stored, trusted=set(public_keys))
        except checkpoints.CheckpointError as error:
            raise BackupError(f"a checkpoint in the backup cannot be read: {error}") from None
    return public_keys


def _check_restorable(manifest: dict) -> None:
    try:
        made_on, migrations = manifest["database"]["vendor"], manifest["database"]["migrations"]
        version = manifest["medtrace_version"]
    except (KeyError, TypeError):
        raise BackupError("the backup's manifest does not say what it holds") from None
    here = databases.vendor()
    if made_on != here:
        raise BackupError(
            f"this is a backup of a {made_on} database and this installation uses {here};"
            + (
                " unset DATABASE_URL to restore into the data dir's SQLite file"
                if made_on == "sqlite"
                else " set DATABASE_URL to an empty PostgreSQL database"
            )
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    newer = sorted(set(migrations) - known)
    if newer:
        raise BackupError(
            f"the backup was made by medtrace {version}, whose schema this"
            f" version does not know ({', '.join(newer)}); install that version or newer"
        )
    if not databases.is_empty():
        raise BackupError(
            "the database already holds tables; a backup is restored into an empty database"
            " only (a new MEDTRACE_DATA_DIR, or a new PostgreSQL database)"
        )
    for folder in (Path(settings.MEDIA_ROOT), checkpoints.directory()):
        if folder.is_dir() and any(folder.iterdir()):
            raise BackupError(f"{folder} is not empty; restore into a new MEDTRACE_DATA_DIR")
