from django.db.models import Count, Q, QuerySet

from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job, JobLogLine
from medtrace.org import access

LOG_LINES_SHOWN = 200


def visible_jobs(user) -> QuerySet[Job]:
    """Jobs are organization-wide: users whose roles grant jobs.view_job at any site see the
    system jobs and those of their own organization."""
    if not user.is_authenticated or not user.has_perm("jobs.view_job"):
        return Job.objects.none()
    own = Q(organization__isnull=True)
    if user.organization_id is not None:
        own |= Q(organization_id=user.organization_id)
    return Job.objects.filter(own).select_related("created_by")


def status_counts(jobs: QuerySet[Job]) -> dict[str, int]:
    rows = jobs.order_by().values_list("status").annotate(count=Count("pk"))
    counts = dict.fromkeys(JobStatus.values, 0)
    counts.update(dict(rows))
    return counts


def recent_log(job: Job, user, limit: int = LOG_LINES_SHOWN) -> list[JobLogLine]:
    """The last `limit` lines `user` may read, oldest first: a line about a record is theirs
    when they see its site, or, without one, belong to its organization."""
    readable = (Q(site__isnull=True) | Q(site__in=access.visible_sites(user))) & (
        Q(organization__isnull=True) | Q(organization_id=user.organization_id)
    )
    found = JobLogLine.objects.filter(job=job).filter(readable)
    lines = list(found.order_by("-at", "-pk")[:limit])
    return lines[::-1]
