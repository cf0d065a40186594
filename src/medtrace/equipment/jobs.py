"""The equipment's periodic check: equipment whose calibration is overdue is taken out of
service (hourly, so each site's new day is caught soon after its midnight)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.equipment.services import status_rules
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job(
    "equipment.calibration_overdue",
    max_attempts=3,
    label=_("Take equipment whose calibration is overdue out of service"),
)
def take_overdue_out_of_service(ctx: JobContext) -> dict:
    taken = status_rules.take_overdue_out_of_service()
    for equipment in taken:
        ctx.log(
            f"{equipment.site.code}/{equipment.code}: out of service (calibration overdue).",
            about=equipment,
        )
    return {"taken_out_of_service": len(taken)}


periodic("equipment.calibration_overdue", every=timedelta(hours=1), offset=timedelta(minutes=5))
