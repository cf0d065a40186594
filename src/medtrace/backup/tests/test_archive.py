"""The archive refuses anything it was not written with: a changed byte, a missing or extra
file, a name reaching outside, or bytes that are no archive at all."""

import io
import json
import tarfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.backup import archive
from medtrace.backup.archive import BackupError


@pytest.fixture
def written(tmp_path):
    staging = tmp_path / "staging"
    (staging / "database").mkdir(parents=True)
    (staging / "database" / "medtrace.sqlite3").write_bytes(b"SQLite format 3\x00" + b"x" * 500)
    (staging / "media" / "documents").mkdir(parents=True)
    (staging / "media" / "documents" / "SOP-001 说明.pdf").write_bytes(b"%PDF-1.7\n" * 50)
    out = tmp_path / "backup.tar.gz"
    archive.write(out, staging, {"database": {"vendor": "sqlite"}})
    return out


def _rewrite(source, target, change):
    """Copy the archive member by member through `change(name, data) -> data | None`."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))


def test_an_archive_reads_back_with_every_file_checked(written, tmp_path):
    contents = archive.read(written, into=tmp_path / "out")
    assert contents.database == {"vendor": "sqlite"}
    assert [entry["path"] for entry in contents.manifest["files"]] == [
        "database/medtrace.sqlite3",
        "media/documents/SOP-001 说明.pdf",
    ]
    unpacked = tmp_path / "out" / "media" / "documents" / "SOP-001 说明.pdf"
    assert unpacked.read_bytes() == b"%PDF-1.7\n" * 50
    assert not (tmp_path / "out" / archive.MANIFEST).exists()
    assert not written.with_name(written.name + ".partial").exists()


def test_a_changed_byte_is_named(written, tmp_path):
    altered = tmp_path / "altered.tar.gz"
    _rewrite(written, altered, lambda name, data: data.replace(b"x", b"y", 1))
    with pytest.raises(BackupError, match=r"database/medtrace\.sqlite3 does not match"):
        archive.read(altered, into=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_missing_file_is_named(written, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    _rewrite(written, cut, lambda name, data: None if name.startswith("media/") else data)
    with pytest.raises(BackupError, match="missing media/documents/SOP-001"):
        archive.read(cut)


@pytest.mark.parametrize("name", ["extra.txt", "../escape.txt", "/etc/cron.d/evil"])
def test_a_file_the_manifest_does_not_name_is_refused(written, tmp_path, name):
    added = tmp_path / "added.tar.gz"
    with tarfile.open(written, "r:gz") as old, tarfile.open(added, "w:gz") as new:
        for member in old:
            new.addfile(member, old.extractfile(member))
        info = tarfile.TarInfo(name)
        info.size = 4
        new.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(BackupError, match="refused"):
        archive.read(added, into=tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_a_manifest_of_another_format_is_refused(written, tmp_path):
    other = tmp_path / "other.tar.gz"

    def downgrade(name, data):
        if name != archive.MANIFEST:
            return data
        return json.dumps(json.loads(data) | {"format": "something-else/9"}).encode()

    _rewrite(written, other, downgrade)
    with pytest.raises(BackupError, match=r"not a medtrace-backup/1 archive"):
        archive.read(other)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), value=st.integers(min_value=1, max_value=255))
def test_a_damaged_byte_is_refused_or_changes_nothing(written, tmp_path, position, value):
    """A flipped byte either is refused or sits where it changes no file (the gzip header's
    time stamp): never does a restore get different bytes."""
    original = archive.read(written).manifest
    data = bytearray(written.read_bytes())
    data[position % len(data)] ^= value
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(data))
    try:
        contents = archive.read(damaged)
    except BackupError:
        return
    assert contents.manifest == original


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_any_bytes_are_an_archive_or_refused(tmp_path, data):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(data)
    with pytest.raises(BackupError):
        archive.read(junk)
