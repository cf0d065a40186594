"""The worker's share of integration: send due deliveries on every pass; prune old ones daily."""

import threading
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.integration import delivery, selectors
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic, poller


@poller("integration.deliver")
def deliver(worker_id: str, stop: threading.Event | None = None) -> int:
    return delivery.deliver_due(worker_id, stop=stop)


@job(
    "integration.prune", max_attempts=3, timeout=timedelta(hours=1), label=_("Prune old deliveries")
)
def prune_deliveries(ctx: JobContext) -> dict:
    days = int(ctx.arguments.get("days", selectors.KEPT_DAYS))
    deleted = selectors.prune(older_than=timedelta(days=days))
    ctx.log(f"Deleted {deleted} message(s) delivered or in a feed for more than {days} days.")
    return {"deleted": deleted}


periodic("integration.prune", every=timedelta(days=1), offset=timedelta(hours=2))
