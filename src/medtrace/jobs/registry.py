"""Jobs and periodic schedules declared in code.

Each app declares its jobs in its own `jobs.py` (imported by JobsConfig.ready()):

    @job("sessions.clear_expired", max_attempts=3, label=_("Remove expired sessions"))
    def clear_expired_sessions(ctx: JobContext):
        ...

    periodic("sessions.clear_expired", every=timedelta(days=1))

Work that is not a job but a queue of its own (webhook deliveries) registers a poller, which
every worker pass calls once:

    @poller("integration.deliver")
    def deliver(worker_id: str, stop: threading.Event | None) -> int: ...

A job function takes a JobContext (ctx.arguments, ctx.log(), ctx.progress()) and returns a
JSON-serializable result or None. It runs outside any transaction, so it owns its own
(usually by calling services). Raising PermanentFailure ends it without retries.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

NAME_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*\Z")
DEFAULT_MAX_ATTEMPTS = 5
# How long a running job may go without a sign of life (claim, ctx.progress, ctx.log) before
# a worker decides its worker died and puts it back in the queue.
DEFAULT_TIMEOUT = timedelta(minutes=10)
# Periodic slots are counted from this instant, so every scheduler agrees on them.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class PermanentFailure(Exception):
    """Raised by a job that cannot succeed by retrying (bad arguments, missing record)."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: timedelta = DEFAULT_TIMEOUT
    label: Promise | str = ""

    @property
    def display_name(self) -> str:
        return str(self.label or self.name)


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta
    offset: timedelta = timedelta(0)
    arguments: dict = field(default_factory=dict)

    def slot_start(self, now: datetime) -> datetime:
        """The start of the period that `now` falls in (periods are aligned to EPOCH + offset)."""
        origin = EPOCH + self.offset
        return origin + ((now - origin) // self.every) * self.every

    def key(self, now: datetime) -> str:
        return f"{self.name}@{self.slot_start(now).isoformat()}"


@dataclass(frozen=True)
class PollerSpec:
    name: str
    func: Callable[..., int]


class Registry:
    def __init__(self):
        self._jobs: dict[str, JobSpec] = {}
        self._periodic: dict[str, PeriodicSpec] = {}
        self._pollers: dict[str, PollerSpec] = {}

    def add(self, spec: JobSpec) -> None:
        if not NAME_PATTERN.match(spec.name) or len(spec.name) > 100:
            raise ImproperlyConfigured(
                f"job name {spec.name!r}: use dotted lower-case words like 'app.do_thing'"
            )
        if spec.max_attempts < 1:
            raise ImproperlyConfigured(f"job {spec.name!r}: max_attempts must be at least 1")
        known = self._jobs.get(spec.name)
        if known is not None and _where(known.func) != _where(spec.func):
            raise ImproperlyConfigured(
                f"job {spec.name!r} is declared twice: {_where(known.func)} and {_where(spec.func)}"
            )
        self._jobs[spec.name] = spec

    def add_periodic(self, spec: PeriodicSpec) -> None:
        if spec.name not in self._jobs:
            raise ImproperlyConfigured(f"periodic {spec.name!r}: declare the job with @job first")
        if spec.every <= timedelta(0):
            raise ImproperlyConfigured(f"periodic {spec.name!r}: `every` must be positive")
        self._periodic[spec.name] = spec

    def add_poller(self, spec: PollerSpec) -> None:
        if not NAME_PATTERN.match(spec.name):
            raise ImproperlyConfigured(f"poller name {spec.name!r}: use dotted lower-case words")
        self._pollers[spec.name] = spec

    def pollers(self) -> list[PollerSpec]:
        return sorted(self._pollers.values(), key=lambda spec: spec.name)

    def unregister(self, name: str) -> None:
        self._jobs.pop(name, None)
        self._periodic.pop(name, None)

    def get(self, name: str) -> JobSpec | None:
        return self._jobs.get(name)

    def jobs(self) -> list[JobSpec]:
        return sorted(self._jobs.values(), key=lambda spec: spec.name)

    def periodic_jobs(self) -> list[PeriodicSpec]:
        return sorted(self._periodic.values(), key=lambda spec: spec.name)

    @contextmanager
    def isolated(self) -> Iterator["Registry"]:
        """Whatever is declared inside the block is forgotten after it (for tests)."""
        jobs, periodic, pollers = dict(self._jobs), dict(self._periodic), dict(self._pollers)
        try:
            yield self
        finally:
            self._jobs, self._periodic, self._pollers = jobs, periodic, pollers


def _where(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


registry = Registry()


def job(
    name: str,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    timeout: timedelta | int = DEFAULT_TIMEOUT,
    label: Promise | str = "",
):
    """Declare the decorated function as the job `name` (timeout: timedelta or seconds)."""
    if not isinstance(timeout, timedelta):
        timeout = timedelta(seconds=timeout)

    def decorator(func):
        registry.add(
            JobSpec(name=name, func=func, max_attempts=max_attempts, timeout=timeout, label=label)
        )
        return func

    return decorator


def periodic(
    name: str, *, every: timedelta, offset: timedelta = timedelta(0), arguments=None
) -> PeriodicSpec:
    """Run the job `name` once in every period of length `every` (aligned to UTC + offset)."""
    spec = PeriodicSpec(name=name, every=every, offset=offset, arguments=dict(arguments or {}))
    registry.add_periodic(spec)
    return spec


def poller(name: str):
    """Call the decorated function(worker_id, stop) on every worker pass; it returns how much
    work it did."""

    def decorator(func):
        registry.add_poller(PollerSpec(name=name, func=func))
        return func

    return decorator
