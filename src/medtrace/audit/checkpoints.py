"""Signed checkpoints: the head of every chain, signed with the installation's Ed25519 key.

A checkpoint exported and kept elsewhere (or the ones kept in the data dir) lets
verification catch even a chain that was edited and then consistently re-hashed, since the
attacker cannot re-sign without the key file (mode 600, in the data dir, never in the
database).
"""

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone

from medtrace.audit.chain import utc_text
from medtrace.audit.models import AuditChain

FORMAT = "medtrace-audit-checkpoint/1"
KEY_FILE = "audit_signing_key.pem"
DIRECTORY = "audit-checkpoints"
# Public keys of earlier signing keys (an installation restored from a backup signs with a new
# key; the checkpoints it brought back were signed with the old one). Public parts only: they
# let checkpoints be verified, never signed.
TRUSTED_KEYS = "audit-trusted-keys"
KEEP = 30


class CheckpointError(Exception):
    """A checkpoint cannot be read or its signature does not hold."""


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """The installation's key, created (mode 600) the first time it is needed."""
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_text() -> str:
    """The installation's public key (base64 of the raw 32 bytes), as checkpoints carry it."""
    return _public_text(signing_key().public_key())


def trusted_public_keys() -> set[str]:
    """The keys whose checkpoints this installation accepts: its own and the trusted ones."""
    folder = Path(settings.DATA_DIR) / TRUSTED_KEYS
    kept = {path.read_text(encoding="ascii").strip() for path in folder.glob("*.pub")}
    return kept | {public_key_text()}


def check_public_key(public_text: str) -> None:
    """Refuse text that is not a public key as checkpoints carry it."""
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_text, validate=True))
    except ValueError:
        raise CheckpointError(f"{public_text[:20]}…: not an Ed25519 public key") from None


def trust(public_text: str) -> None:
    """Accept checkpoints signed by this public key (after a restore, the old installation's)."""
    check_public_key(public_text)
    folder = Path(settings.DATA_DIR) / TRUSTED_KEYS
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(public_text.encode()).hexdigest()[:16]
    (folder / f"{name}.pub").write_text(public_text + "\n", encoding="ascii")


def _signed_bytes(document: dict) -> bytes:
    body = {name: value for name, value in document.items() if name != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def create() -> dict:
    """A signed document naming the head (sequence and hash) of every chain now."""
    key = signing_key()
    document = {
        "format": FORMAT,
        "created_at": utc_text(timezone.now()),
        "public_key": _public_text(key.public_key()),
        "chains": [
            {"key": chain.key, "sequence": chain.last_sequence, "hash": chain.last_hash}
            for chain in AuditChain.objects.order_by("key")
            if chain.last_sequence
        ],
    }
    document["signature"] = base64.b64encode(key.sign(_signed_bytes(document))).decode()
    return document


def read(path: Path, trusted: set[str] | None = None) -> dict:
    """Load a checkpoint file and check it was signed by one of the `trusted` public keys (by
    default this installation's and those it trusts)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise CheckpointError(f"{path}: not a medtrace audit checkpoint")
        signature = base64.b64decode(document["signature"])
    except (OSError, ValueError, KeyError) as exc:
        raise CheckpointError(f"{path}: cannot be read ({exc})") from None
    if document.get("public_key") not in (trusted_public_keys() if trusted is None else trusted):
        raise CheckpointError(f"{path}: signed by another key than this installation's")
    signer = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    try:
        signer.verify(signature, _signed_bytes(document))
    except InvalidSignature:
        raise CheckpointError(f"{path}: the signature does not match its content") from None
    return document


def directory() -> Path:
    return Path(settings.DATA_DIR) / DIRECTORY


def save(document: dict, path: Path | None = None, *, keep: int = KEEP) -> Path:
    """Write a checkpoint (to the data dir by default, keeping the newest `keep`)."""
    if path is None:
        folder = directory()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = document["created_at"].replace(":", "").replace("-", "").replace(".", "")
        path = folder / f"checkpoint-{stamp}.json"
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
    if path.parent == directory():
        for old in sorted(directory().glob("checkpoint-*.json"))[:-keep]:
            old.unlink()
    return path


def stored() -> list[Path]:
    return sorted(directory().glob("checkpoint-*.json")) if directory().exists() else []
