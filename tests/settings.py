"""Settings for the test suite: the real settings, with a throwaway data dir and fast hashing."""

import os
import tempfile

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-test-"))
# Playwright's sync API runs an event loop in the test thread; the ORM calls next to it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from medtrace.settings import *  # noqa: F403

# Argon2 is the production hasher (tested in accounts/tests); MD5 keeps the suite fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

MIDDLEWARE = ["tests.serialized.SerializeRequests", *MIDDLEWARE]  # noqa: F405

# Two-factor sign-in is tested where it is the subject (accounts/tests/test_mfa*.py, which turn
# it on); the personas of every other test sign in and sign with a password alone.
MFA_REQUIRED_ROLES = []
# The suite signs in and signs far faster than people do; the limits have their own tests.
RATE_LIMIT_SIGN_INS = RATE_LIMIT_SIGNATURES = RATE_LIMIT_TOKENS = 0
