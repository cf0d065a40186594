"""Hourly: lots in stock whose expiry date has passed are marked expired (each site's new day
is caught soon after its local midnight)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from medtrace.inventory.services import expiry
from medtrace.jobs.context import JobContext
from medtrace.jobs.registry import job, periodic


@job("inventory.mark_expired", max_attempts=3, label=_("Mark lots past their expiry date expired"))
def mark_expired(ctx: JobContext) -> dict:
    marked = expiry.mark_expired()
    for lot in marked:
        ctx.log(f"{lot.item.code} {lot.lot_number}: expired on {lot.expires_on}.", about=lot)
    return {"expired": len(marked)}


periodic("inventory.mark_expired", every=timedelta(hours=1), offset=timedelta(minutes=5))
