import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace import conf


def test_bool_words(monkeypatch):
    for word, expected in [("true", True), ("ON", True), ("0", False), ("no", False)]:
        monkeypatch.setenv("MEDTRACE_X", word)
        assert conf.env_bool("MEDTRACE_X") is expected


KNOWN_WORDS = conf.TRUE_WORDS | conf.FALSE_WORDS


@given(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00")).filter(
        lambda text: text.strip().lower() not in KNOWN_WORDS
    )
)
def test_other_bool_values_fail_loudly(value):
    os.environ["MEDTRACE_FUZZ"] = value
    try:
        with pytest.raises(conf.ConfigError, match="MEDTRACE_FUZZ"):
            conf.env_bool("MEDTRACE_FUZZ")
    finally:
        del os.environ["MEDTRACE_FUZZ"]


def test_secret_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "s"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("MEDTRACE_X_FILE", str(secret))
    assert conf.env_str("MEDTRACE_X") == "from-a-file"
    monkeypatch.setenv("MEDTRACE_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(conf.ConfigError, match="MEDTRACE_X_FILE"):
        conf.env_str("MEDTRACE_X")


def test_default_database_is_sqlite_in_wal_mode(tmp_path):
    config = conf.database("", tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_url():
    config = conf.database("postgres://mt:pw@db.example:5433/medtrace", None)
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        5433,
        "medtrace",
    )


@pytest.mark.parametrize(
    "url, words",
    [
        ("mysql://x@y/z", "unsupported scheme"),
        ("not a url", "unsupported scheme"),
        ("postgres://x@y:5432", "name is missing"),
    ],
)
def test_bad_database_urls_are_named(url, words):
    with pytest.raises(conf.ConfigError, match=words):
        conf.database(url, None)


def test_email_url(tmp_path):
    assert conf.email("", tmp_path)["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    smtp = conf.email("smtp://bot%40x.cn:p%40ss@mail.x.cn:587?tls=true", tmp_path)
    assert smtp["EMAIL_HOST_USER"] == "bot@x.cn" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_PORT"] == 587 and smtp["EMAIL_USE_TLS"] is True
    with pytest.raises(conf.ConfigError):
        conf.email("http://mail", tmp_path)


def test_time_zone_is_checked(monkeypatch):
    monkeypatch.setenv("MEDTRACE_TIME_ZONE", "Asia/Shanghai")
    assert conf.time_zone("MEDTRACE_TIME_ZONE", "UTC") == "Asia/Shanghai"
    monkeypatch.setenv("MEDTRACE_TIME_ZONE", "Shanghai")
    with pytest.raises(conf.ConfigError, match="IANA"):
        conf.time_zone("MEDTRACE_TIME_ZONE", "UTC")


def test_secret_key_is_generated_once_with_mode_600(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDTRACE_SECRET_KEY", raising=False)
    first = conf.secret_key(tmp_path / "data")
    assert first == conf.secret_key(tmp_path / "data")
    mode = (tmp_path / "data" / conf.SECRET_KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    monkeypatch.setenv("MEDTRACE_SECRET_KEY", "short")
    with pytest.raises(conf.ConfigError, match="too short"):
        conf.secret_key(tmp_path / "data")
