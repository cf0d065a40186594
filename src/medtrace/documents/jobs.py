"""Hourly: approved document revisions whose effective date has come (at their owning site's
local midnight) take effect, with the training they assign."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.documents.services import revisions
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job(
    "documents.make_due_effective", max_attempts=3, label=_("Make due document revisions effective")
)
def make_due_effective(ctx: JobContext) -> dict:
    done = revisions.make_due_effective()
    for revision in done:
        ctx.log(f"{revision} is effective.", about=revision.document)
    return {"effective": len(done)}


periodic("documents.make_due_effective", every=timedelta(hours=1))
