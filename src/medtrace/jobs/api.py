from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.jobs import selectors, services
from medtrace.jobs.choices import JobStatus, LogLevel
from medtrace.jobs.models import Job

router = Router(tags=["background jobs"])


class JobOut(Schema):
    id: int
    name: str
    status: JobStatus
    arguments: dict[str, Any]
    key: str
    attempts: int
    max_attempts: int
    run_after: datetime
    claimed_by: str
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    progress_done: int
    progress_total: int | None
    progress_label: str
    result: Any = None
    last_error: str
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_created_by(job: Job) -> str | None:
        return job.created_by.username if job.created_by_id else None


class LogLineOut(Schema):
    at: datetime
    level: LogLevel
    message: str


class JobRunNowIn(Schema):
    name: str = Field(..., description="A declared periodic job, e.g. analytics.count_shipped")


class JobDetailOut(JobOut):
    log: list[LogLineOut]

    @staticmethod
    def resolve_log(job: Job, context) -> list:
        return selectors.recent_log(job, context["request"].user)


def _job(request, job_id: int) -> Job:
    job = selectors.visible_jobs(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@router.get("", response=list[JobOut])
@paginate(Pages)
def list_jobs(request, status: JobStatus | None = None, name: str | None = None):
    """Background jobs, newest first (system administrators)."""
    require_perm(request, "jobs.view_job")
    jobs = selectors.visible_jobs(request.user)
    if status:
        jobs = jobs.filter(status=status)
    if name:
        jobs = jobs.filter(name=name)
    return jobs.order_by("-pk")


# Before /{job_id}, which would take "run-now" for a job id.
@router.post("/run-now", response={202: JobOut, **WRITE_ERRORS})
def run_job_now(request, payload: JobRunNowIn):
    """Queue a declared periodic job outside its schedule, due at once (one already queued and
    due, or running, is answered instead); 422 for a name that is not a periodic job."""
    require_perm(request, "jobs.change_job")
    job = services.run_now(payload.name, by=request.user)
    return Status(202, _job(request, job.pk))


@router.get("/{job_id}", response={200: JobDetailOut, **READ_ERRORS})
def get_job(request, job_id: int):
    """One job with its last log lines."""
    require_perm(request, "jobs.view_job")
    return _job(request, job_id)


@router.post("/{job_id}/retry", response={200: JobOut, **WRITE_ERRORS})
def retry_job(request, job_id: int):
    """Send a failed or dead job back to the queue, due at once."""
    require_perm(request, "jobs.change_job")
    return services.retry(_job(request, job_id), by=request.user)
