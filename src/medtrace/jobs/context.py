"""What a running job sees: its arguments, a log, and a progress reporter.

Progress is written at most once per PROGRESS_INTERVAL (and always at the end), so a job can
report every item of a long loop without hammering the database. Every write is conditional on
the job still being claimed by this worker: a job whose claim was taken back (stale recovery,
an administrator's retry) stops at its next report instead of running twice.
"""

import logging
import time
from collections.abc import Callable

from django.utils import timezone

from medtrace.jobs.choices import JobStatus, LogLevel
from medtrace.jobs.models import Job, JobLogLine
from medtrace.org.models import Site

logger = logging.getLogger("medtrace.jobs")

PROGRESS_INTERVAL = 1.0  # seconds
LABEL_LENGTH = 200


class ClaimLost(Exception):
    """This worker no longer holds the job; it must stop without writing a result."""


class JobContext:
    def __init__(
        self,
        job: Job,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = PROGRESS_INTERVAL,
    ):
        self.job = job
        self.arguments: dict = dict(job.arguments or {})
        self._clock = clock
        self._interval = interval
        self._last_write: float | None = None
        self._unsaved = False

    def log(self, message: str, *, level: str = LogLevel.INFO, about=None) -> None:
        """Write a line to the job's log; `about`, the record it names (with a site, or an
        organization's), shows it only to the people who see that record."""
        logger.log(
            logging.WARNING if level != LogLevel.INFO else logging.INFO,
            "job %s %s: %s",
            self.job.pk,
            self.job.name,
            message,
        )
        site_id = getattr(about, "site_id", None)
        organization_id = getattr(about, "organization_id", None)
        if site_id is not None and organization_id is None:
            organization_id = (
                Site.objects.filter(pk=site_id).values_list("organization_id", flat=True).first()
            )
        JobLogLine.objects.create(
            job_id=self.job.pk, level=level, message=str(message), site_id=site_id,
            organization_id=organization_id,
        )  # fmt: skip
        if self._due():
            self._write()

    def progress(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """Report `done` of `total` items (total None: unknown); `label` says what is happening."""
        job = self.job
        job.progress_done = max(0, int(done))
        if total is not None:
            job.progress_total = max(0, int(total))
        if label is not None:
            job.progress_label = str(label)[:LABEL_LENGTH]
        self._unsaved = True
        finished = job.progress_total is not None and job.progress_done >= job.progress_total
        if finished or self._due():
            self._write()

    def flush(self) -> None:
        if self._unsaved:
            self._write()

    def _due(self) -> bool:
        return self._last_write is None or self._clock() - self._last_write >= self._interval

    def _write(self) -> None:
        """Save progress and the heartbeat, if this worker still holds the job."""
        job = self.job
        written = Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, claimed_by=job.claimed_by, attempts=job.attempts
        ).update(
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            progress_label=job.progress_label,
            heartbeat_at=timezone.now(),
        )
        if not written:
            raise ClaimLost(f"job {job.pk} is no longer claimed by {job.claimed_by}")
        self._last_write = self._clock()
        self._unsaved = False
