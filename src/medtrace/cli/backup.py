"""medtrace backup / restore: one archive with the database, uploaded files, audit checkpoints
and the audit key's public part; restored into an empty data dir and verified
(docs/disaster-recovery.md)."""

import time
from pathlib import Path

import typer

from medtrace.cli.common import console, die, setup_django


def register(root: typer.Typer) -> None:
    root.command("backup")(backup)
    root.command("restore")(restore)


def backup(
    out: Path | None = typer.Option(
        None, help="Write the archive here (default: medtrace-backup-<UTC time>.tar.gz here)."
    ),
):
    """Back up the database (a consistent copy while the server runs), uploaded files and the
    signed audit checkpoints, with a manifest of checksums."""
    setup_django()
    from medtrace.backup import services
    from medtrace.backup.archive import BackupError

    path = (out or Path(services.default_name())).resolve()
    begun = time.monotonic()
    try:
        manifest = services.create_backup(path)
    except BackupError as exc:
        die(str(exc))
    files = manifest["files"]
    size = sum(entry["size"] for entry in files)
    console.print(
        f"backup of the {manifest['database']['vendor']} database, {len(files)} files"
        f" ({size / 1e6:.1f} MB before compression) in {time.monotonic() - begun:.1f}s"
    )
    for chain in manifest["checkpoint"]["chains"]:
        console.print(f"  audit chain {chain['key']}: entry {chain['sequence']} signed")
    console.print(f"written: {path}")
    console.print(
        "Keep it away from this machine, and keep secret_key and audit_signing_key.pem from the"
        " data dir in your key escrow: the archive holds neither."
    )


def restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="A medtrace backup."),
    check: bool = typer.Option(
        False, "--check", help="Only check every file against the manifest; write nothing."
    ),
):
    """Restore a backup into an empty data dir (or empty PostgreSQL database), bring it up to
    this version, then verify the audit chains against the restored checkpoints."""
    setup_django()
    from medtrace.backup import services
    from medtrace.backup.archive import BackupError

    begun = time.monotonic()
    try:
        if check:
            manifest = services.check_backup(archive)
            console.print(
                f"ok: {len(manifest['files'])} files match their checksums; backup of"
                f" {manifest['created_at']} by medtrace {manifest['medtrace_version']}"
            )
            return
        restored = services.restore_backup(archive)
    except BackupError as exc:
        die(str(exc))
    console.print(
        f"restored the backup of {restored.manifest['created_at']}"
        f" in {time.monotonic() - begun:.1f}s"
    )
    result = restored.verification
    if not result.ok:
        die(f"the audit trail does NOT verify: {result.problem}")
    for key, (sequence, digest) in sorted(result.heads.items()):
        console.print(f"ok: audit chain {key}: {sequence} entries, head {digest[:16]}…")
    console.print(f"ok: {restored.checkpoints} checkpoint(s) agree")
    if restored.key_problems:
        die(
            "personal data cannot be read until the master key is restored from key escrow: "
            + "; ".join(restored.key_problems)
        )
