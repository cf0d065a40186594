"""Units shipped, the exposure complaint rates are normalized by. Counting them walks every
shipment and what each case and pallet held (trace.shipped): on a large plant that takes
seconds, too long for a page. So a background job (analytics.count_shipped: hourly, after the
demo plant is built, and on request from the trend pages) counts them per site, item, lot and
day into ShippedDay, and the pages read that table and show when it was counted.

Days are in the installation's time zone; months are summed from days by the database (each
row carries its month)."""

from collections import defaultdict
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from medtrace.analytics import stored
from medtrace.analytics.choices import StoredKind
from medtrace.analytics.models import Refresh, ShippedDay
from medtrace.core.months import add_months
from medtrace.trace.shipped import shipments


def count(organization) -> Refresh:
    """Count the organization's units shipped again, replacing the last count."""
    computation = stored.Computation()
    zone = timezone.get_default_timezone()
    days: dict[tuple, float] = defaultdict(float)
    for row in shipments(organization.pk):
        day = timezone.localtime(row.event_time, zone).date()
        days[row.site_id, row.item_id, row.lot_id, day] += row.quantity
    rows = [
        ShippedDay(organization=organization, site_id=site_id, item_id=item_id, lot_id=lot_id,
                   day=day, month=day.replace(day=1), quantity=quantity)
        for (site_id, item_id, lot_id, day), quantity in days.items()
    ]  # fmt: skip
    return stored.replace(organization, StoredKind.SHIPPED_UNITS, ShippedDay, rows, computation)


def last_count(organization_id: int) -> Refresh | None:
    return stored.last(organization_id, StoredKind.SHIPPED_UNITS)


def units_shipped(
    months: list[date], *, site_ids, item_ids=None, by_lot: bool = False
) -> dict[tuple, float]:
    """Units shipped from `site_ids` in each of `months` (first days, consecutive, oldest
    first) as last counted: {(item_id, index): units}, or with `by_lot`
    {(item_id, lot_id, index): units}. Only `item_ids` when given."""
    index = {month: position for position, month in enumerate(months)}
    end = add_months(months[-1], 1)
    rows = ShippedDay.objects.filter(site_id__in=site_ids, day__gte=months[0], day__lt=end)
    if item_ids is not None:
        rows = rows.filter(item_id__in=item_ids)
    fields = ["item", "lot", "month"] if by_lot else ["item", "month"]
    found = {}
    grouped = rows.values_list(*fields).annotate(Sum("quantity"))
    for *key, month, units in grouped.order_by():
        found[(*key, index[month])] = units
    return found
