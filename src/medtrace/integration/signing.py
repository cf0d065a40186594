"""Signing outbound messages the way the Standard Webhooks specification does
(https://www.standardwebhooks.com): HMAC-SHA256 over "<message id>.<unix time>.<body>", sent as
`webhook-signature: v1,<base64>` beside `webhook-id` and `webhook-timestamp`. A receiver
recomputes it with the shared secret, and refuses an old timestamp so a captured request
cannot be replayed later. EPCIS subscriptions get the same value in `GS1-Signature` too."""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # nosec B105 # secret prefix, not a secret
VERSION = "v1"
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def key_of(secret: str) -> bytes:
    """The HMAC key: a whsec_ secret's decoded bytes, any other token (an EPCIS client's
    signatureToken) as its UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error:
            pass
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode()}"


def headers(secret: str, message_id: str, body: bytes, *, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(secret: str, received: dict, body: bytes, *, now: float | None = None) -> bool:
    """Whether a request's headers (names in lower case) carry a valid, recent signature."""
    try:
        message_id = received["webhook-id"]
        timestamp = int(received["webhook-timestamp"])
        offered = received["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
