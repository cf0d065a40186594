from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.paging import paginate
from medtrace.jobs import selectors, services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.registry import registry


@perm_required("jobs.view_job")
def job_list(request, status: str | None = None):
    if status is not None and status not in JobStatus.values:
        raise Http404
    jobs = selectors.visible_jobs(request.user)
    counts = selectors.status_counts(jobs)
    if status:
        jobs = jobs.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        jobs = jobs.filter(name__icontains=query)
    return render(
        request,
        "jobs/job_list.html",
        {
            "page": paginate(request, jobs.order_by("-pk")),
            "status": status,
            "query": query,
            "statuses": [(value, label, counts[value]) for value, label in JobStatus.choices],
            "total": sum(counts.values()),
            "periodic": _periodic_rows(),
            "can_change": request.user.has_perm("jobs.change_job"),
        },
    )


def _periodic_rows() -> list[dict]:
    rows = []
    for periodic in registry.periodic_jobs():
        spec = registry.get(periodic.name)
        rows.append(
            {
                "name": periodic.name,
                "label": spec.display_name if spec else periodic.name,
                "every": _every(periodic.every),
            }
        )
    return rows


def _every(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    if seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("every %(n)s day", "every %(n)s days", n) % {"n": n}
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("every %(n)s hour", "every %(n)s hours", n) % {"n": n}
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("every %(n)s minute", "every %(n)s minutes", n) % {"n": n}
    return ngettext("every %(n)s second", "every %(n)s seconds", seconds) % {"n": seconds}


@perm_required("jobs.view_job")
def job_detail(request, pk: int):
    """The job page; for htmx polling, only its live panel."""
    job = get_object_or_404(selectors.visible_jobs(request.user), pk=pk)
    context = {
        "job": job,
        "log_lines": selectors.recent_log(job, request.user),
        "log_limit": selectors.LOG_LINES_SHOWN,
        "can_change": request.user.has_perm("jobs.change_job"),
    }
    template = "jobs/_job_panel.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, context)


@require_POST
@perm_required("jobs.change_job")
def job_retry(request, pk: int):
    job = get_object_or_404(selectors.visible_jobs(request.user), pk=pk)
    try:
        services.retry(job, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Job #%(id)s is queued again.") % {"id": job.pk})
    return redirect("jobs:job-detail", job.pk)


@require_POST
@perm_required("jobs.change_job")
def job_run_now(request):
    try:
        job = services.run_now(request.POST.get("name", ""), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("jobs:job-list")
    messages.success(
        request, _("Job #%(id)s %(name)s is queued.") % {"id": job.pk, "name": job.name}
    )
    return redirect("jobs:job-detail", job.pk)
