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
