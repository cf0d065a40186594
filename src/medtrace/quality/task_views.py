"""My tasks (what waits on the reader across the quality records) and the related-records
panel of a trace object's page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from medtrace.core.decorators import perm_required
from medtrace.quality import tasks
from medtrace.trace import selectors as trace_selectors


@login_required
def inbox(request):
    waiting = tasks.inbox(request.user)
    return render(
        request,
        "quality/inbox.html",
        {"tasks": waiting, "total": tasks.count(waiting), "today": timezone.localdate()},
    )


@perm_required("trace.view_traceobject")
def related(request, pk: int):
    obj = trace_selectors.object_for_history(request.user, str(pk))
    context = {"obj": obj, "related": tasks.related(obj, request.user)}
    return render(request, "quality/_related.html", context)
