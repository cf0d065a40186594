"""Lots whose expiry date has passed are marked expired (disposition expired, CBV holding) at
each site's local midnight, so that the log says when stock became unusable and by what rule.
Only lots still held in stock are marked; the status already counts a lot past its date as
expired before the job runs (statuses.status_of)."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.epcis.model import Event, QuantityElement
from medtrace.org.models import Site
from medtrace.trace.models import Lot
from medtrace.trace.services.recording import record_event

from ..choices import StockStatus
from ..models import Stock
from ..statuses import disposition_status
from .moves import event_offset

EXPIRED = "expired"
HOLD_STEP = "holding"


def mark_expired(*, now=None) -> list[Lot]:
    """Record an expiry event for each lot in stock whose expiry date is before its site's
    day; one transaction per site."""
    now = now or timezone.now()
    marked = []
    for site in Site.objects.select_related("organization").filter(is_active=True):
        marked += _mark_site(site, now)
    return marked


@transaction.atomic
def _mark_site(site: Site, now) -> list[Lot]:
    today = site.local_date(now)
    held = (
        Stock.objects.filter(site=site, lot__expires_on__lt=today)
        .values_list("lot_id", flat=True)
        .distinct()
    )
    marked = []
    for lot in Lot.objects.filter(pk__in=held).select_related("item").order_by("pk"):
        if disposition_status(lot.disposition) in (
            StockStatus.EXPIRED, StockStatus.REJECTED, StockStatus.RECALLED
        ):  # fmt: skip
            continue
        name = f"urn:medtrace:{site.organization.slug}:expiry:{lot.pk}:{lot.expires_on}"
        event = Event(
            event_type="ObjectEvent",
            event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
            event_time=now,
            event_time_zone_offset=event_offset(site, now),
            action="OBSERVE",
            biz_step=HOLD_STEP,
            disposition=EXPIRED,
            quantity_list=(QuantityElement(lot.identifier),),
        )
        reason = _("Expiry date %(date)s passed") % {"date": lot.expires_on.isoformat()}
        record_event(event, organization=site.organization, site=site, reason=reason)
        marked.append(lot)
    return marked
