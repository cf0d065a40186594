"""Hourly: released change requests whose planned date has come (at their site's local
midnight) are implemented: their BOM and routing versions and document revisions take effect
together, the ones before them superseded. A change that cannot be implemented (a version
withdrawn since its release) stays released, is named in the job's log and result, and does
not hold the others back."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.changes.services import changes
from medtrace.jobs.choices import LogLevel
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job("changes.implement_due", max_attempts=3, label=_("Implement released change requests due"))
def implement_due(ctx: JobContext) -> dict:
    failures = []
    done = changes.implement_due(failures=failures)
    for change in done:
        ctx.log(f"{change.number} is implemented.", about=change)
    for change, error in failures:
        ctx.log(
            f"{change.number} is not implemented: {error.message}",
            level=LogLevel.WARNING,
            about=change,
        )
    # A system job's result is read by every organization: counts, the numbers in the log.
    return {"implemented": len(done), "failed": len(failures)}


# Hourly, so that a change takes effect within the hour after midnight at its own site.
periodic("changes.implement_due", every=timedelta(hours=1))
