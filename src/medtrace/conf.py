"""Typed readers for the MEDTRACE_* environment variables; a bad value stops start-up with
one clear line naming the variable (ConfigError), never a silent default."""

import ipaddress
import os
import re
import secrets
import stat
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or the content of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_name}: cannot read it ({exc.strerror})") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of true/false, yes/no, on/off, 1/0")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={raw!r}: expected a whole number of at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_networks(
    name: str, default: list[str]
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Addresses or networks ("10.0.0.5, 10.1.0.0/16, ::1"); anything else is refused."""
    networks = []
    for part in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not an IP address or network") from None
    return networks


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def _durations(name: str, raw: str, keys: set[str] | None) -> dict[str, timedelta]:
    found = {}
    for part in (part.strip() for part in raw.split(",")):
        if not part:
            continue
        key, _sep, amount = (piece.strip() for piece in part.partition("="))
        match = DURATION.fullmatch(amount.lower())
        if not key or match is None or float(match[1]) <= 0:
            raise ConfigError(
                f"{name}={raw!r}: expected name=duration pairs such as scope=15m,notice=2h "
                "(a positive number with s, m, h or d)"
            )
        if keys is not None and key not in keys:
            raise ConfigError(f"{name}: unknown {key!r}; expected {', '.join(sorted(keys))}")
        found[key] = timedelta(seconds=float(match[1]) * DURATION_UNITS[match[2]])
    return found


def env_durations(name: str, default: str) -> dict[str, timedelta]:
    """Named durations such as "scope=15m,notice=2h,accounted=24h" (s, m, h, d); the names are
    those of `default`, and a name the variable leaves out keeps its default."""
    defaults = _durations(name, default, None)
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return defaults
    return defaults | _durations(name, raw, set(defaults))


def data_dir() -> Path:
    return Path(os.environ.get("MEDTRACE_DATA_DIR", "./medtrace-data")).expanduser().resolve()


def time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name}={value!r}: not an IANA time zone such as Asia/Shanghai"
        ) from None
    return value


def database(url: str, sqlite_path: Path) -> dict:
    """Django DATABASES['default'] from DATABASE_URL, or a WAL SQLite file in the data dir."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            f"DATABASE_URL: unsupported scheme {scheme!r}; use postgres://user:pass@host:5432/name"
            " or sqlite:////absolute/path.sqlite3"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL: cannot be read ({exc})") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ConfigError("DATABASE_URL: the database name is missing (…/medtrace at the end)")
    return config


def email(url: str, mail_dir: Path) -> dict:
    """EMAIL_* settings from smtp://user:password@host:port?tls=true (or ssl=true).

    Without a URL, mail is written as files to the data dir so nothing is lost or sent by surprise.
    """
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ConfigError("MEDTRACE_EMAIL_URL: expected smtp://user:password@host:port?tls=true")
    query = {key: values[-1].lower() in TRUE_WORDS for key, values in parse_qs(parts.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", False),
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", False),
    }


SECRET_KEY_FILE = "secret_key"  # nosec B105 # a file name, not a password


def secret_key(directory: Path) -> str:
    """MEDTRACE_SECRET_KEY, else the data dir's key file, generated (mode 600) the first time."""
    configured = env_str("MEDTRACE_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigError("MEDTRACE_SECRET_KEY: too short; use at least 32 random characters")
        return configured
    path = directory / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"MEDTRACE_DATA_DIR={directory}: cannot write the secret key there ({exc.strerror})"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
