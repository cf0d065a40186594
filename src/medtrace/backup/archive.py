"""The backup archive: a gzip-compressed tar whose first member, manifest.json, lists every
other member with its size and SHA-256. Reading one checks all of them (and gzip's CRC-32 over
the whole stream) and refuses members the manifest does not name, so a damaged archive is
refused before anything is restored. Checksums catch damage, not a forgery: a rewritten trail
is caught by verifying it against checkpoints kept elsewhere."""

import hashlib
import io
import json
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "medtrace-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write(out: Path, staging: Path, manifest: dict) -> None:
    """Pack every file under `staging` into `out`, the manifest (given the files' sizes and
    checksums here) first. Written beside `out` and renamed, so a crash leaves no half archive
    under the final name."""
    files = sorted(path for path in staging.rglob("*") if path.is_file())
    manifest = manifest | {
        "format": FORMAT,
        "files": [
            {
                "path": path.relative_to(staging).as_posix(),
                "size": path.stat().st_size,
                "sha256": sha256_of(path),
            }
            for path in files
        ],
    }
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w:gz") as tar:
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(body))
        for path in files:
            tar.add(path, arcname=path.relative_to(staging).as_posix(), recursive=False)
    partial.replace(out)


@dataclass(frozen=True)
class Contents:
    manifest: dict

    @property
    def database(self) -> dict:
        return self.manifest["database"]


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive names a file outside itself ({name!r}); refused")
    return path.as_posix()


def read(archive: Path, into: Path | None = None) -> Contents:
    """Check the archive against its manifest; with `into`, also unpack it there (only after
    every file has been checked)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = _checked(tar, archive)
        if into is not None:
            with tarfile.open(archive, "r:gz") as tar:
                members = [member for member in tar if member.name != MANIFEST]
                tar.extractall(into, members=members, filter="data")
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise BackupError(f"{archive}: cannot be read ({exc}); the archive is damaged") from None
    return Contents(manifest)


def _checked(tar: tarfile.TarFile, archive: Path) -> dict:
    """The manifest, once every member matches it and it names no member that is missing."""
    manifest = _manifest(tar, archive)
    expected = {entry["path"]: entry for entry in manifest["files"]}
    seen = set()
    for member in tar:
        if member.name == MANIFEST:
            continue
        name = _safe_name(member.name)
        entry = expected.get(name)
        if entry is None or not member.isfile():
            raise BackupError(f"{archive}: {name} is not in the manifest; refused")
        handle = tar.extractfile(member)
        digest, size = hashlib.sha256(), 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise BackupError(
                f"{archive}: {name} does not match its checksum; the archive is damaged or was"
                " altered"
            )
        seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive}: missing {', '.join(missing)}; the archive is cut")
    # The manifest has no checksum of its own: reading the gzip stream to its end makes gzip
    # check its CRC-32 over every byte, the manifest's included.
    while tar.fileobj.read(CHUNK):
        pass
    return manifest


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST:
        raise BackupError(f"{archive}: not a medtrace backup (no {MANIFEST} first)")
    try:
        manifest = json.loads(tar.extractfile(first).read())
    except ValueError as exc:
        raise BackupError(f"{archive}: {MANIFEST} cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a {FORMAT} archive")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_is_file_entry(entry) for entry in files):
        raise BackupError(f"{archive}: {MANIFEST} does not list its files; it is damaged")
    return manifest


def _is_file_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
    )
