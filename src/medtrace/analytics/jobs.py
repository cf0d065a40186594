"""The dashboards' background work: the units shipped for the complaint trends (exposure.py)
and the lot risk signals (risk_store.py), every hour and on request; the management reports
e-mailed to their subscribers, daily."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.analytics import exposure, report_services, risk_store
from medtrace.analytics.choices import (
    ASSESS_RISK,
    COUNT_SHIPPED,
    ORGANIZATION_ARGUMENT,
    SEND_REPORTS,
    DeliveryStatus,
)
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic
from medtrace.org.models import Organization


@job(COUNT_SHIPPED, max_attempts=3, label=_("Count the units shipped for the complaint trends"))
def count_shipped(ctx: JobContext) -> dict:
    return _for_each_organization(ctx, exposure.count)


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
    return _for_each_organization(
        ctx, lambda organization: risk_store.assess_all(organization, timezone.localdate())
    )


def _for_each_organization(ctx: JobContext, work) -> dict:
    """`work(organization)` for the organization the job was asked for, or, on schedule, for
    every one. A scheduled run is a system job that every organization's administrators see:
    its log and result count the organizations and name none of them."""
    organizations = Organization.objects.order_by("pk")
    if ctx.arguments.get(ORGANIZATION_ARGUMENT):
        organizations = organizations.filter(pk=ctx.arguments[ORGANIZATION_ARGUMENT])
        done = work(organizations.get())
        ctx.log(f"{done.rows} rows in {done.elapsed_ms} ms")
        return {"rows": done.rows}
    for organization in organizations:
        work(organization)
    ctx.log(f"{len(organizations)} organizations done")
    return {"organizations": len(organizations)}


periodic(ASSESS_RISK, every=timedelta(hours=1), offset=timedelta(minutes=2))
