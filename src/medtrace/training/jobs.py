"""Training's periodic check: whoever's qualification on an effective revision lapsed (its
curriculum's requalification interval passed) is assigned the training again (daily)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.training.services import assignments


@job(
    "training.requalify_lapsed",
    max_attempts=3,
    label=_("Assign retraining to people whose qualification lapsed"),
)
def requalify_lapsed(ctx: JobContext) -> dict:
    created = assignments.requalify_lapsed()
    for assignment in created:
        ctx.log(
            f"{assignment.trainee.username}: retraining on {assignment.revision} assigned.",
            about=assignment,
        )
    return {"assigned": len(created)}


periodic("training.requalify_lapsed", every=timedelta(days=1), offset=timedelta(hours=1))
