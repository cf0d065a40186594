"""Time-based one-time passwords (RFC 6238, through pyotp) and recovery codes: the second factor
of sign-in and of electronic signatures. No database access here (see accounts.mfa_services).

A code is accepted for the current 30-second step and one step either side (a phone's clock a
little off), and only for a step later than the last one used: a code seen over a shoulder, or
replayed from a log, is worth nothing once used.
"""

import hashlib
import secrets
import string
from contextvars import ContextVar
from datetime import datetime

import pyotp
from django.utils import timezone

ISSUER = "medtrace"
DIGITS = 6
STEP_SECONDS = 30
ACCEPTED_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of RFC 4648's base32 alphabet: 80 bits, so an unsalted SHA-256 of one cannot be
# reversed by trying them all, and no slow password hash is needed to keep them.
RECOVERY_ALPHABET = string.ascii_lowercase + "234567"
RECOVERY_CODE_LENGTH = 16

# The one-time code the current request presents for signing (the `otp` field of a signing
# form, or the X-Medtrace-OTP header of an API call), set by accounts.middleware: a signature
# is made deep inside a hundred services, and a second factor belongs to the request, like the
# user (decision 0019).
presented_otp: ContextVar[str] = ContextVar("presented_otp", default="")


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def normalized_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, *, after: int | None, at: datetime | None = None):
    """The time step whose code `code` is, within the accepted drift and later than `after`;
    None when there is none (wrong, expired, or already used)."""
    code = normalized_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = totp.timecode(at or timezone.now())
    for step in range(now - ACCEPTED_DRIFT_STEPS, now + ACCEPTED_DRIFT_STEPS + 1):
        if (after is None or step > after) and secrets.compare_digest(
            totp.generate_otp(step), code
        ):
            return step
    return None


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator shows at `at` (for tests, the demo and the CLI's self-check)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(at)


def new_recovery_codes() -> list[str]:
    """Codes shown once, printed "abcd-efgh-jkmn-pqrs" to be copied by hand."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def recovery_digest(code: str) -> str:
    return hashlib.sha256(normalized_code(code).encode()).hexdigest()
