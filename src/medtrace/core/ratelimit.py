"""Attempt counters in fixed one-minute windows, in Django's cache: how many sign-ins, signatures
and API token checks one client or user may try before being told to wait.

The default cache is per process, so with several server processes a client gets the limit in
each; the account lockout (accounts.services), which lives in the database, is what bounds
password guessing across processes. The counters only keep a flood from reaching it.
"""

import hashlib
import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from medtrace.core.errors import DomainError, ErrorCode

WINDOW_SECONDS = 60


def _window_key(scope: str, client: str, now: float) -> str:
    digest = hashlib.sha256(client.encode()).hexdigest()[:32]
    return f"medtrace:ratelimit:{scope}:{digest}:{int(now // WINDOW_SECONDS)}"


def count(scope: str, client: str, *, limit: int) -> bool:
    """Count one attempt of `client` (an address, a user id) at `scope`; True while the window
    holds at most `limit` of them, False once it holds more. A limit of 0 means no limit."""
    if limit <= 0:
        return True
    key = _window_key(scope, client, time.time())
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        attempts = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        attempts = 1
    return attempts <= limit


def over_limit(scope: str, client: str, *, limit: int) -> bool:
    """Whether `client` already used up this window at `scope`, without counting an attempt."""
    if limit <= 0:
        return False
    return (cache.get(_window_key(scope, client, time.time())) or 0) >= limit


def refusal() -> DomainError:
    return DomainError(
        ErrorCode.RATE_LIMITED,
        _("Too many attempts in a short time; wait a minute and try again."),
        retry_after=WINDOW_SECONDS,
    )
