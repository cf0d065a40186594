"""Envelope encryption of personal data: values are encrypted (AES-256-GCM) with a data key, data
keys are stored wrapped by a master key, and the master key lives outside the database.

The master key comes from MEDTRACE_MASTER_KEY (base64 of 32 bytes), else the file named by
MEDTRACE_MASTER_KEY_FILE, else `<data dir>/master_key` (generated, mode 600, the first time a
value is encrypted). During a rotation the keyring also holds the key being rotated to
(`<key file>.next`) or from (MEDTRACE_MASTER_KEY_PREVIOUS); a data key names the fingerprint of
the master key that wraps it, so each is unwrapped by the right one.

A stored value reads "enc1:<data key id>:<base64 of nonce, ciphertext and tag>"; the column it
belongs to is authenticated with it (associated data), so a value copied into another column or
table does not decrypt. Unwrapped data keys are kept in this process's memory only.
"""

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from medtrace import conf

PREFIX = "enc1"
KEY_BYTES = 32
NONCE_BYTES = 12
MASTER_KEY_FILE = "master_key"
NEXT_SUFFIX = ".next"
WRAP_CONTEXT = b"medtrace data key"

_unwrapped: dict[int, tuple[str, AESGCM]] = {}


class KeyringError(Exception):
    """A key is missing or does not fit: the message says which and what to do."""


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"medtrace master key" + key).hexdigest()[:16]


def decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{where}: not a master key (base64 of {KEY_BYTES} random bytes)")
    return key


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def master_key_path() -> Path:
    configured = conf.env_str("MEDTRACE_MASTER_KEY_FILE")
    return Path(configured) if configured else Path(settings.DATA_DIR) / MASTER_KEY_FILE


def write_key_file(path: Path, key: bytes) -> None:
    """Write a new key file readable by its owner only; never over an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(encode_key(key) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def current_master_key(*, create: bool = False) -> bytes:
    """The master key new data keys are wrapped with; generated into the key file when
    `create` and there is none yet."""
    configured = conf.env_str("MEDTRACE_MASTER_KEY")
    if configured:
        return decode_key(configured, "MEDTRACE_MASTER_KEY")
    path = master_key_path()
    if path.exists():
        return decode_key(path.read_text(encoding="utf-8"), str(path))
    if not create:
        raise KeyringError(
            f"no master key at {path}: restore it from key escrow, or set MEDTRACE_MASTER_KEY"
        )
    with contextlib.suppress(FileExistsError):  # another process made it first
        write_key_file(path, secrets.token_bytes(KEY_BYTES))
    return decode_key(path.read_text(encoding="utf-8"), str(path))


def master_keys() -> dict[str, bytes]:
    """Every master key at hand, by fingerprint: the current one and those of a rotation."""
    keys = {}
    candidates = []
    if conf.env_str("MEDTRACE_MASTER_KEY") or master_key_path().exists():
        candidates.append(current_master_key())
    previous = conf.env_str("MEDTRACE_MASTER_KEY_PREVIOUS")
    if previous:
        candidates.append(decode_key(previous, "MEDTRACE_MASTER_KEY_PREVIOUS"))
    upcoming = next_key_path()
    if upcoming.exists():
        candidates.append(decode_key(upcoming.read_text(encoding="utf-8"), str(upcoming)))
    for key in candidates:
        keys[fingerprint(key)] = key
    return keys


def next_key_path() -> Path:
    path = master_key_path()
    return path.with_name(path.name + NEXT_SUFFIX)


def wrap(data_key: bytes, master: bytes) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, data_key, WRAP_CONTEXT)
    return base64.b64encode(nonce + sealed).decode()


def unwrap(wrapped: str, master: bytes) -> bytes:
    raw = base64.b64decode(wrapped)
    return AESGCM(master).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], WRAP_CONTEXT)


def unwrap_with(wrapped: str, master_fingerprint: str, keys: dict[str, bytes]) -> bytes:
    master = keys.get(master_fingerprint)
    if master is None:
        raise KeyringError(
            f"the master key {master_fingerprint} that wraps a data key is not at hand: restore "
            "it from key escrow (MEDTRACE_MASTER_KEY or the master_key file)"
        )
    try:
        return unwrap(wrapped, master)
    except InvalidTag:
        raise KeyringError(
            f"the master key {master_fingerprint} does not open its data key"
        ) from None


def _cipher(data_key_id: int, wrapped: str | None = None, fingerprint_: str = "") -> AESGCM:
    """The unwrapped data key `data_key_id`, from memory when the wrapped form it was unwrapped
    from is still the stored one (ids repeat across databases: a restore, a test)."""
    from medtrace.keys.models import DataKey

    cached = _unwrapped.get(data_key_id)
    if wrapped is None:
        row = DataKey.objects.filter(pk=data_key_id).values_list("wrapped", "master_fingerprint")
        found = row.first()
        if found is None:
            raise KeyringError(f"data key {data_key_id} is not in the database")
        wrapped, fingerprint_ = found
    if cached is not None and cached[0] == wrapped:
        return cached[1]
    cipher = AESGCM(unwrap_with(wrapped, fingerprint_, master_keys()))
    _unwrapped[data_key_id] = (wrapped, cipher)
    return cipher


def forget() -> None:
    """Drop the unwrapped data keys held in memory (after a restore, in tests)."""
    _unwrapped.clear()


def encrypt(plaintext: str, *, context: str) -> str:
    """`plaintext` sealed with the current data key, for the column named by `context`."""
    data_key_id, wrapped, master = current_data_key()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher(data_key_id, wrapped, master).encrypt(
        nonce, plaintext.encode(), context.encode()
    )
    return f"{PREFIX}:{data_key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def key_id_of(value: str) -> int:
    return int(value.split(":", 2)[1])


def decrypt(value: str, *, context: str) -> str:
    """The text of a stored value of the column named by `context`. The data key comes from
    memory when it was unwrapped before; if it does not fit (its id now names another
    database's key: a restore, a test), it is read again."""
    try:
        _prefix, key_id, body = value.split(":", 2)
        raw = base64.urlsafe_b64decode(body)
        nonce, sealed, aad = raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()
        cached = _unwrapped.get(int(key_id))
        if cached is not None:
            with contextlib.suppress(InvalidTag):
                return cached[1].decrypt(nonce, sealed, aad).decode()
        return _cipher(int(key_id)).decrypt(nonce, sealed, aad).decode()
    except (ValueError, binascii.Error, InvalidTag):
        raise KeyringError(f"a value of {context} does not decrypt") from None


def current_data_key() -> tuple[int, str, str]:
    """(id, wrapped, master fingerprint) of the data key new values are encrypted with: the
    newest not retired, made (and audited) on first use."""
    from medtrace.keys.models import DataKey

    newest = (
        DataKey.objects.filter(retired_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", "wrapped", "master_fingerprint")
        .first()
    )
    if newest is None:
        row = new_data_key()
        newest = (row.pk, row.wrapped, row.master_fingerprint)
    return newest


def new_data_key():
    """A fresh data key, wrapped by the current master key; it encrypts from now on."""
    from medtrace.audit import services as audit
    from medtrace.audit.choices import AuditAction
    from medtrace.keys.models import DataKey

    master = current_master_key(create=True)
    data_key = secrets.token_bytes(KEY_BYTES)
    row = DataKey.objects.create(
        wrapped=wrap(data_key, master), master_fingerprint=fingerprint(master)
    )
    _unwrapped[row.pk] = (row.wrapped, AESGCM(data_key))
    audit.record(
        AuditAction.CONFIGURATION_CHANGE,
        row,
        changes={"data_key": [None, row.pk], "master_key": row.master_fingerprint},
    )
    return row
