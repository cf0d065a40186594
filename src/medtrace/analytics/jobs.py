"""The dashboards' background counts: units shipped for the complaint trends (exposure.py),
every hour and on request."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.analytics import exposure
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.org.models import Organization

COUNT_SHIPPED = "analytics.count_shipped"


@job(COUNT_SHIPPED, max_attempts=3, label=_("Count the units shipped for the complaint trends"))
def count_shipped(ctx: JobContext) -> dict:
    done = {}
    for organization in Organization.objects.order_by("pk"):
        counted = exposure.count(organization)
        ctx.log(f"{organization.slug}: {counted.rows} rows in {counted.elapsed_ms} ms")
        done[organization.slug] = counted.rows
    return done


periodic(COUNT_SHIPPED, every=timedelta(hours=1), offset=timedelta(minutes=50))
