"""The CLI as an operator meets it: a fresh process, settings from the environment.

These run `python -m medtrace` in a subprocess on a throwaway SQLite data dir, because the
settings are read once per process (the engine is not what they test).
"""

import os
import sqlite3
import subprocess
import sys

import pytest


def medtrace(*args, data_dir, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDTRACE_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update({"MEDTRACE_DATA_DIR": str(data_dir), "COLUMNS": "200", **env})
    return subprocess.run(
        [sys.executable, "-m", "medtrace", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_check_with_pending_migrations_fails_and_names_the_command(tmp_path):
    result = medtrace("check", data_dir=tmp_path)
    assert result.returncode == 1
    assert "not applied; run: medtrace init" in result.stdout


def test_init_is_safe_to_run_twice_and_check_passes(tmp_path):
    first = medtrace("init", data_dir=tmp_path, MEDTRACE_ADMIN_PASSWORD="A-good-admin-pass-1")
    assert first.returncode == 0, first.stderr
    assert "Created system administrator admin at MAIN" in first.stdout
    second = medtrace("init", data_dir=tmp_path, MEDTRACE_ADMIN_PASSWORD="ignored-now")
    assert second.returncode == 0, second.stderr
    assert "Created" not in second.stdout and "left unchanged" in second.stdout
    check = medtrace("check", data_dir=tmp_path)
    assert check.returncode == 0, check.stdout
    assert "FAIL" not in check.stdout
    token = medtrace("token", "create", "admin", "--sites", "MAIN", data_dir=tmp_path)
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("mt_")
    unknown = medtrace("token", "create", "admin", "--sites", "NOPE", data_dir=tmp_path)
    assert unknown.returncode == 1 and "NOPE" in unknown.stderr


def test_init_refuses_a_weak_admin_password_in_one_line(tmp_path):
    result = medtrace("init", data_dir=tmp_path, MEDTRACE_ADMIN_PASSWORD="123")
    assert result.returncode == 1
    assert "password is too weak" in result.stderr
    assert "Traceback" not in result.stderr
    # Refused before the (long) migration of a new database, not after it.
    database = tmp_path / "medtrace.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


@pytest.mark.parametrize(
    "url, words",
    [
        ("postgres://nobody@127.0.0.1:1/medtrace", "database error"),
        ("mysql://x@y/z", "configuration error: DATABASE_URL"),
    ],
)
def test_wrong_database_url_gives_one_clear_line(tmp_path, url, words):
    result = medtrace("init", data_dir=tmp_path, DATABASE_URL=url, MEDTRACE_ADMIN_PASSWORD="x" * 12)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_pending_migrations(tmp_path):
    result = medtrace("serve", "--no-worker", data_dir=tmp_path)
    assert result.returncode == 1
    assert "run: medtrace init" in result.stderr


def test_demo_without_serving_replaces_the_last_demo_and_prints_logins(tmp_path):
    last_demo = tmp_path / "demo"
    last_demo.mkdir()
    (last_demo / ".medtrace-demo").write_text("made by the last run")
    (last_demo / "medtrace.sqlite3").write_text("the last run's plant")
    result = medtrace("demo", "--data-dir", str(last_demo), "--no-serve", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Medtrace-demo-2026" in result.stdout and "qa" in result.stdout
    assert (last_demo / "medtrace.sqlite3").read_bytes().startswith(b"SQLite format 3")


def test_demo_refuses_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "file").write_text("keep me")
    refused = medtrace("demo", "--data-dir", str(tmp_path / "precious"), data_dir=tmp_path)
    assert refused.returncode == 1 and "not a demo directory" in refused.stderr
    assert (tmp_path / "precious" / "file").read_text() == "keep me"
