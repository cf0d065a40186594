"""The worker loop behind `medtrace worker`: recover stale jobs, queue due periodic jobs, call
the pollers (webhook deliveries), run every due job, sleep, repeat.

Any number of workers may run against one database (the claim is a conditional UPDATE). On
SIGTERM or SIGINT a worker finishes the job in hand and exits; a second Ctrl-C stops it at once
(the interrupted job is then recovered by the next worker once its timeout has passed).
"""

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from django.db import DatabaseError, close_old_connections, connection

from medtrace.jobs import services
from medtrace.jobs.registry import registry

logger = logging.getLogger("medtrace.jobs")


def make_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_pass(
    worker_id: str, *, stop: threading.Event | None = None, now: datetime | None = None
) -> int:
    """One round of the loop; returns how many jobs (and pollers' items) it ran."""
    services.recover_stale(now=now)
    services.schedule_due_periodic(now=now)
    ran = 0
    for spec in registry.pollers():
        ran += spec.func(worker_id, stop=stop)
    while stop is None or not stop.is_set():
        job = services.claim_next(worker_id, now=now)
        if job is None:
            break
        logger.info("worker %s: running job %s %s", worker_id, job.pk, job.name)
        finished = services.run_claimed(job)
        logger.info("worker %s: job %s %s %s", worker_id, job.pk, job.name, finished.status)
        ran += 1
    return ran


def run_worker(
    *,
    poll_seconds: float = 2.0,
    once: bool = False,
    stop_event: threading.Event | None = None,
    worker_id: str | None = None,
) -> int:
    """Run jobs until stopped (or, with `once`, until none is due); returns how many ran."""
    stop = stop_event or threading.Event()
    worker_id = worker_id or make_worker_id()
    restore = _stop_on_signals(stop)
    ran = 0
    logger.info("worker %s started (poll every %ss)", worker_id, poll_seconds)
    try:
        while not stop.is_set():
            _refresh_connection()
            try:
                ran += run_pass(worker_id, stop=stop)
            except DatabaseError:
                if once:
                    raise
                # The database went away (restart, network); try again after the pause.
                logger.exception("worker %s: database error; retrying", worker_id)
                _drop_connection()
            if once:
                break
            stop.wait(poll_seconds)
    finally:
        restore()
    logger.info("worker %s stopped after %s job(s)", worker_id, ran)
    return ran


def _refresh_connection() -> None:
    # Never close a connection inside someone's transaction (a test, an embedding caller).
    if not connection.in_atomic_block:
        close_old_connections()


def _drop_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Ask the loop to stop on SIGTERM/SIGINT; returns a function restoring the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.getsignal(signum) for signum in signals}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def handle(signum, frame):
        logger.info("%s: finishing the current job, then stopping", signal.Signals(signum).name)
        stop.set()
        restore()  # a second signal acts as usual (Ctrl-C twice stops at once)

    for signum in signals:
        signal.signal(signum, handle)
    return restore
