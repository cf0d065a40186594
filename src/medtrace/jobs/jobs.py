"""The periodic housekeeping jobs the queue itself needs."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from medtrace.jobs import services
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job("sessions.clear_expired", max_attempts=3, label=_("Remove expired sign-in sessions"))
def clear_expired_sessions(ctx: JobContext) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    ctx.log("Expired sessions removed.")


@job("jobs.prune", max_attempts=3, timeout=timedelta(hours=1), label=_("Prune finished jobs"))
def prune_jobs(ctx: JobContext) -> dict:
    days = int(ctx.arguments.get("days", services.PRUNE_AFTER.days))
    deleted = services.prune(
        older_than=timedelta(days=days),
        on_batch=lambda done, total: ctx.progress(done, total, "deleting"),
    )
    ctx.log(f"Deleted {deleted} succeeded job(s) finished more than {days} days ago.")
    return {"deleted": deleted}


periodic("sessions.clear_expired", every=timedelta(days=1))
periodic("jobs.prune", every=timedelta(days=1), offset=timedelta(hours=1))
