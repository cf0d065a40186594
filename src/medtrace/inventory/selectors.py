"""Reading stock: what a user may see, each row's status computed in SQL (the same mapping as
statuses.disposition_status, and past-expiry as expired), first-expiry-first-out candidates,
and what expires within 30 / 60 / 90 days."""

from datetime import date, timedelta

from django.db.models import Case, CharField, F, Q, QuerySet, Sum, Value, When

from medtrace.org import access
from medtrace.org.choices import LocationKind
from medtrace.org.models import Site

from .choices import StockStatus
from .models import Stock
from .statuses import CBV_PREFIXES, DISPOSITION_STATUS

VIEW = "inventory.view_stock"
FORECAST_DAYS = (30, 60, 90)


def visible_stock(user, *, perm: str = VIEW) -> QuerySet[Stock]:
    return access.scoped(
        Stock.objects.select_related("site", "location", "item", "lot", "object"),
        user,
        perm=perm,
    )


def _dispositions(status: StockStatus) -> list[str]:
    names = [name for name, mapped in DISPOSITION_STATUS.items() if mapped == status]
    return names + [prefix + name for prefix in CBV_PREFIXES for name in names]


def with_status(rows: QuerySet[Stock], today: date) -> QuerySet[Stock]:
    """Each row with `.status`: its object's disposition read as statuses.disposition_status
    does, and expired once its lot's expiry date is before `today`."""
    final = (StockStatus.REJECTED, StockStatus.RECALLED)
    whens = [
        When(object__disposition__in=_dispositions(status), then=Value(status.value))
        for status in final
    ]
    whens.append(When(lot__expires_on__lt=today, then=Value(StockStatus.EXPIRED.value)))
    whens += [
        When(object__disposition__in=_dispositions(status), then=Value(status.value))
        for status in StockStatus
        if status not in final
    ]
    return rows.annotate(
        status=Case(*whens, default=Value(StockStatus.QUARANTINE.value), output_field=CharField())
    )


def stock_list(
    user,
    *,
    today: date,
    site: Site | None = None,
    item=None,
    location=None,
    lot=None,
    status: str = "",
    text: str = "",
) -> QuerySet[Stock]:
    # A unit's row shows its serial: read with the row, not a query per unit.
    rows = with_status(visible_stock(user).select_related("object__as_unit"), today)
    if site is not None:
        rows = rows.filter(site=site)
    if item is not None:
        rows = rows.filter(item=item)
    if location is not None:
        rows = rows.filter(location__path__startswith=location.path, location__site=location.site)
    if lot is not None:
        rows = rows.filter(lot=lot)
    if status:
        rows = rows.filter(status=status)
    if text:
        rows = rows.filter(
            Q(item__code__icontains=text)
            | Q(item__name__icontains=text)
            | Q(lot__lot_number__icontains=text)
            | Q(lot__supplier_lot_number__icontains=text)
            | Q(object__identifier__icontains=text)
        )
    return rows.order_by("item__code", F("lot__expires_on").asc(nulls_last=True), "location__path")


def totals(rows: QuerySet[Stock]) -> list[dict]:
    """Quantities summed per item, lot, location and status (units of a lot counted as one
    line)."""
    return list(
        rows.values(
            "item__code", "item__name", "lot__lot_number", "lot__expires_on", "location__path",
            "site__code", "status", "uom",
        )
        .annotate(quantity=Sum("quantity"))
        .order_by("item__code", "lot__lot_number", "location__path")
    )  # fmt: skip


def fefo(
    site: Site,
    item,
    *,
    today: date,
    min_expires_on: date | None = None,
    limit: int | None = None,
) -> list[Stock]:
    """Available stock of `item` at `site`'s stock locations, first expiry first out (lots
    without an expiry date last); `min_expires_on`: a customer's minimum remaining shelf life
    leaves out what expires before it; `limit`: the first so many."""
    earliest = max(today, min_expires_on) if min_expires_on is not None else today
    rows = (
        Stock.objects.select_related("location", "lot", "object")
        .filter(site=site, item=item, location__kind=LocationKind.STOCK)
        .filter(object__disposition__in=_dispositions(StockStatus.AVAILABLE))
        .filter(Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=earliest))
        .annotate(status=Value(StockStatus.AVAILABLE.value, output_field=CharField()))
        .order_by(
            F("lot__expires_on").asc(nulls_last=True), "lot__lot_number", "location__path", "pk"
        )
    )
    return list(rows[:limit] if limit is not None else rows)


def expiry_forecast(user, *, today: date, site: Site | None = None) -> list[dict]:
    """What expires within 30, 60 and 90 days (and what has expired but is still held), by
    item, lot and location: rows with `bucket` (0 for expired, else the first window it
    falls in)."""
    horizon = today + timedelta(days=FORECAST_DAYS[-1])
    rows = visible_stock(user).filter(lot__expires_on__isnull=False, lot__expires_on__lte=horizon)
    if site is not None:
        rows = rows.filter(site=site)
    found = []
    for row in totals(with_status(rows, today)):
        if row["status"] in (StockStatus.REJECTED, StockStatus.RECALLED):
            continue
        days = (row["lot__expires_on"] - today).days
        row["days_left"] = days
        row["bucket"] = 0 if days < 0 else next(limit for limit in FORECAST_DAYS if days <= limit)
        found.append(row)
    return sorted(found, key=lambda row: (row["lot__expires_on"], row["item__code"]))
