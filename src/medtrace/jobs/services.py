"""The job queue's writes: enqueue, claim, run, retry, recover, schedule, prune.

Claiming is one conditional UPDATE (`... WHERE pk = %s AND status = %s`) whose row count says
who won, so two workers never run the same job, on SQLite (writers serialized) as on
PostgreSQL (the loser re-checks the WHERE after the winner commits and matches nothing).
Enqueuing inside a caller's transaction is safe without on_commit: the job row commits or
rolls back with the caller's changes, and no worker sees it before.
"""

import json
import logging
import traceback
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.jobs.choices import CLAIMABLE, RETRYABLE, JobStatus, LogLevel
from medtrace.jobs.context import ClaimLost, JobContext
from medtrace.jobs.models import Job, JobLogLine
from medtrace.jobs.registry import DEFAULT_TIMEOUT, PermanentFailure, registry

logger = logging.getLogger("medtrace.jobs")

RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
CLAIM_CANDIDATES = 20
ERROR_LENGTH = 10_000
PRUNE_AFTER = timedelta(days=30)
PRUNE_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: 10 s, 20 s, 40 s … ≤ 1 h."""
    return min(RETRY_BASE * 2 ** max(0, attempts - 1), RETRY_CAP)


def _plain_json(value, what: str):
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        raise DomainError(
            ErrorCode.VALIDATION, _("The %(what)s must be plain JSON.") % {"what": what}
        ) from None


@transaction.atomic
def enqueue(
    name: str,
    *,
    arguments: dict | None = None,
    key: str | None = None,
    run_after: datetime | None = None,
    by=None,
    organization=None,
) -> Job:
    """Queue a run of the registered job `name`; with a `key` already used, the earlier job."""
    return _enqueue(
        name, arguments=arguments, key=key, run_after=run_after, by=by, organization=organization
    )[0]


def _enqueue(name, *, arguments=None, key=None, run_after=None, by=None, organization=None):
    spec = registry.get(name)
    if spec is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("There is no background job named %(name)s.") % {"name": name},
            fields={"name": [str(_("Unknown job."))]},
        )
    arguments = _plain_json(arguments or {}, _("job arguments"))
    if not isinstance(arguments, dict):
        raise DomainError(ErrorCode.VALIDATION, _("Job arguments must be a JSON object."))
    key = (key or "").strip()
    if len(key) > Job._meta.get_field("key").max_length:
        raise DomainError(ErrorCode.VALIDATION, _("The idempotency key is too long."))
    if key:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
    if organization is None and by is not None:
        organization = by.organization
    job = Job(
        name=name,
        arguments=arguments,
        key=key,
        max_attempts=spec.max_attempts,
        run_after=run_after or timezone.now(),
        created_by=by,
        organization=organization,
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        # Another process enqueued the same key between our check and our insert.
        if key:
            return Job.objects.get(key=key), False
        raise
    return job, True


def claim_next(worker_id: str, *, now: datetime | None = None) -> Job | None:
    """Claim the job that has waited longest among those due, or None if none is due.

    No surrounding transaction on purpose: each claim is a single UPDATE, committed at once, so
    the write lock is held for one statement.
    """
    now = now or timezone.now()
    candidates = (
        Job.objects.filter(status__in=CLAIMABLE, run_after__lte=now)
        .order_by("run_after", "pk")
        .values_list("pk", "status")[:CLAIM_CANDIDATES]
    )
    for pk, status in candidates:
        if try_claim(pk, status=status, worker_id=worker_id, now=now):
            return Job.objects.get(pk=pk)
    return None


def try_claim(pk: int, *, status: str, worker_id: str, now: datetime) -> bool:
    """Take job `pk` if it is still in `status` and due; False when another worker was first."""
    claimed = Job.objects.filter(pk=pk, status=status, run_after__lte=now).update(
        status=JobStatus.RUNNING,
        claimed_by=worker_id,
        claimed_at=now,
        heartbeat_at=now,
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        progress_done=0,
        progress_label="",
    )
    return claimed == 1


def run_claimed(job: Job, *, now: datetime | None = None) -> Job:
    """Run a job this worker has claimed and record how it ended (`now`: when it ended)."""
    spec = registry.get(job.name)
    context = JobContext(job)
    try:
        if spec is None:
            raise PermanentFailure(f"no job named {job.name!r} is declared in this version")
        result = spec.func(context)
        context.flush()
    except ClaimLost:
        logger.warning("job %s %s: claim lost, result discarded", job.pk, job.name)
        return Job.objects.get(pk=job.pk)
    except Exception as exc:
        permanent = isinstance(exc, PermanentFailure)
        error = traceback.format_exc()[-ERROR_LENGTH:]
        logger.warning("job %s %s failed: %s", job.pk, job.name, exc)
        return _record_failure(job, error=error, permanent=permanent, now=now)
    return _record_success(job, result=result, now=now)


def _still_ours(job: Job):
    return Job.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, claimed_by=job.claimed_by, attempts=job.attempts
    )


@transaction.atomic
def _record_success(job: Job, *, result, now: datetime | None) -> Job:
    now = now or timezone.now()
    try:
        result = json.loads(json.dumps(result, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        result = {"repr": repr(result)[:ERROR_LENGTH]}
    if _still_ours(job).update(
        status=JobStatus.SUCCEEDED, finished_at=now, heartbeat_at=now, result=result
    ):
        _log(job, f"Succeeded (attempt {job.attempts}).", at=now)
    return Job.objects.get(pk=job.pk)


@transaction.atomic
def _record_failure(job: Job, *, error: str, permanent: bool, now: datetime | None) -> Job:
    now = now or timezone.now()
    summary = error.strip().splitlines()[-1] if error.strip() else "error"
    if permanent or job.attempts >= job.max_attempts:
        changed = _still_ours(job).update(
            status=JobStatus.DEAD, finished_at=now, heartbeat_at=now, last_error=error
        )
        message = f"Attempt {job.attempts} of {job.max_attempts} failed; giving up: {summary}"
    else:
        retry_at = now + retry_delay(job.attempts)
        changed = _still_ours(job).update(
            status=JobStatus.FAILED,
            finished_at=now,
            heartbeat_at=now,
            last_error=error,
            run_after=retry_at,
        )
        message = (
            f"Attempt {job.attempts} of {job.max_attempts} failed; "
            f"retry after {retry_at:%Y-%m-%d %H:%M:%S} UTC: {summary}"
        )
    if changed:
        _log(job, message, level=LogLevel.ERROR, at=now)
    return Job.objects.get(pk=job.pk)


def _log(job: Job, message: str, *, level: str = LogLevel.INFO, at: datetime | None = None):
    JobLogLine.objects.create(job=job, message=message, level=level, at=at or timezone.now())


def recover_stale(*, now: datetime | None = None) -> list[Job]:
    """Put back in the queue the running jobs whose worker stopped showing signs of life.

    A job that already used all its attempts is marked dead instead, so a job that kills its
    worker (out of memory, say) cannot loop forever.
    """
    now = now or timezone.now()
    recovered = []
    for job in Job.objects.filter(status=JobStatus.RUNNING).order_by("pk"):
        spec = registry.get(job.name)
        timeout = spec.timeout if spec else DEFAULT_TIMEOUT
        last_seen = job.heartbeat_at or job.claimed_at
        if last_seen is not None and last_seen >= now - timeout:
            continue
        if _requeue_stale(job, last_seen=last_seen, now=now):
            recovered.append(Job.objects.get(pk=job.pk))
    return recovered


@transaction.atomic
def _requeue_stale(job: Job, *, last_seen: datetime | None, now: datetime) -> bool:
    dead = job.attempts >= job.max_attempts
    since = f" since {last_seen:%Y-%m-%d %H:%M:%S} UTC" if last_seen else ""
    outcome = "giving up" if dead else "back in the queue"
    message = f"No sign of life from worker {job.claimed_by}{since}; {outcome}."
    changed = Job.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
    ).update(
        status=JobStatus.DEAD if dead else JobStatus.QUEUED,
        run_after=now,
        finished_at=now if dead else None,
        last_error=message,
    )
    if changed:
        _log(job, message, level=LogLevel.WARNING, at=now)
    return bool(changed)


@transaction.atomic
def retry(job: Job, *, by, now: datetime | None = None) -> Job:
    """Send a failed or dead job back to the queue, due at once.

    A failed job keeps its attempt count (it only skips the back-off wait); a dead one gets a
    fresh set of attempts. The log keeps who retried it and how many attempts it had used.
    """
    now = now or timezone.now()
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status not in RETRYABLE:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Job #%(id)s is %(status)s; only failed or dead jobs can be retried.")
            % {"id": job.pk, "status": job.get_status_display()},
        )
    _log(
        job,
        f"Retried by {by.username if by else 'system'} after {job.attempts} attempt(s).",
        at=now,
    )
    audit.record(
        AuditAction.TRANSITION,
        job,
        by=by,
        changes={"status": [job.status, JobStatus.QUEUED], "attempts": [job.attempts, None]},
    )
    if job.status == JobStatus.DEAD:
        job.attempts = 0
    job.status = JobStatus.QUEUED
    job.run_after = now
    job.finished_at = None
    job.save(update_fields=["status", "run_after", "finished_at", "attempts"])
    return job


@transaction.atomic
def run_now(
    name: str, *, by=None, now: datetime | None = None, arguments: dict | None = None
) -> Job:
    """Queue a declared periodic job outside its schedule, with its declared arguments or
    `arguments` (a run for one organization); a job of it with the same arguments already
    queued and due, or running, is returned instead, so a double click queues one."""
    now = now or timezone.now()
    spec = next((p for p in registry.periodic_jobs() if p.name == name), None)
    if spec is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(name)s is not a declared periodic job.") % {"name": name},
        )
    arguments = spec.arguments if arguments is None else arguments
    waiting = next(
        (
            job
            for job in Job.objects.filter(
                name=name, status__in=(JobStatus.QUEUED, JobStatus.RUNNING), run_after__lte=now
            ).order_by("pk")
            if job.arguments == arguments
        ),
        None,
    )
    if waiting is not None:
        return waiting
    queued = enqueue(name, arguments=arguments, run_after=now, by=by)
    audit.record(AuditAction.CREATE, queued, by=by, changes={"name": [None, name]})
    return queued


def schedule_due_periodic(*, now: datetime | None = None) -> list[Job]:
    """Queue each periodic job once for the period `now` is in; the key f"{name}@{slot start}"
    makes a second scheduler (or a second pass) a no-op. Returns the jobs queued now."""
    now = now or timezone.now()
    queued = []
    for spec in registry.periodic_jobs():
        with transaction.atomic():
            job, created = _enqueue(
                spec.name,
                arguments=spec.arguments,
                key=spec.key(now),
                run_after=spec.slot_start(now),
            )
        if created:
            queued.append(job)
    return queued


def prune(
    *,
    older_than: timedelta = PRUNE_AFTER,
    now: datetime | None = None,
    batch_size: int = PRUNE_BATCH,
    on_batch=None,
) -> int:
    """Delete succeeded jobs (and their log lines) finished before now - older_than, in short
    batches; failed and dead jobs stay for inspection. Returns how many jobs were deleted."""
    now = now or timezone.now()
    doomed = Job.objects.filter(status=JobStatus.SUCCEEDED, finished_at__lt=now - older_than)
    total, deleted = doomed.count(), 0
    while True:
        pks = list(doomed.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        with transaction.atomic():
            JobLogLine.objects.filter(job_id__in=pks).delete()
            deleted += Job.objects.filter(pk__in=pks).delete()[1].get("jobs.Job", 0)
        if on_batch is not None:
            on_batch(deleted, max(total, deleted))
