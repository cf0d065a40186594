"""The dashboards' background work: the units shipped for the complaint trends (exposure.py)
and the lot risk signals (risk_store.py), every hour and on request; the management reports
e-mailed to their subscribers, daily."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.analytics import exposure, report_services, risk_store
from medtrace.analytics.choices import ASSESS_RISK, COUNT_SHIPPED, SEND_REPORTS, DeliveryStatus
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.org.models import Organization


@job(COUNT_SHIPPED, max_attempts=3, label=_("Count the units shipped for the complaint trends"))
def count_shipped(ctx: JobContext) -> dict:
    done = {}
    for organization in Organization.objects.order_by("pk"):
        counted = exposure.count(organization)
        ctx.log(f"{organization.slug}: {counted.rows} rows in {counted.elapsed_ms} ms")
        done[organization.slug] = counted.rows
    return done


periodic(COUNT_SHIPPED, every=timedelta(hours=1), offset=timedelta(minutes=50))


@job(SEND_REPORTS, max_attempts=3, label=_("E-mail the management reports to their subscribers"))
def send_reports(ctx: JobContext) -> dict:
    deliveries = report_services.deliver_due(timezone.localdate())
    for delivery in deliveries:
        ctx.log(f"subscription {delivery.subscription_id} {delivery.period_since}: "
                f"{delivery.status} {delivery.error}".strip())  # fmt: skip
    return {status: sum(d.status == status for d in deliveries) for status in DeliveryStatus}


# Early each morning in China (22:00 UTC), after the night's work is recorded.
periodic(SEND_REPORTS, every=timedelta(days=1), offset=timedelta(hours=22))


@job(ASSESS_RISK, max_attempts=3, label=_("Assess the lot risk signals"))
def assess_risk(ctx: JobContext) -> dict:
    done = {}
    for organization in Organization.objects.order_by("pk"):
        assessed = risk_store.assess_all(organization, timezone.localdate())
        ctx.log(f"{organization.slug}: {assessed.rows} signals in {assessed.elapsed_ms} ms")
        done[organization.slug] = assessed.rows
    return done


periodic(ASSESS_RISK, every=timedelta(hours=1), offset=timedelta(minutes=2))
