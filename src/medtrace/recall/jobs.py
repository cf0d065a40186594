"""The recall's periodic check: unanswered notices are reminded once their answer period has
passed (1, 3 or 7 days by the recall's class), and escalated to the recall's owner after the
reminders go unanswered."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.recall.services import delivery


@job(
    "recall.remind_non_responders",
    max_attempts=3,
    label=_("Remind consignees who have not acknowledged a recall notice"),
)
def remind_non_responders(ctx: JobContext) -> dict:
    done = {"reminded": 0, "escalated": 0}
    for notice in delivery.due_for_reminder():
        outcome = delivery.remind_or_escalate(notice, by=None)
        done[outcome] += 1
        ctx.log(f"{notice.number} ({notice.recipient_name}): {outcome}", about=notice.recall)
    return done


periodic("recall.remind_non_responders", every=timedelta(hours=1), offset=timedelta(minutes=5))
