"""The home dashboard: what needs attention at the reader's sites (the site worked at, when one
is chosen), as counts that open the list they count. Each count runs the list's own query and
filter with the filter its link carries, so the number and the list cannot disagree; a reader
sees the tiles their roles may open, which makes the dashboard the QA manager's, the
warehouse's, production's or, with every view, management's."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from medtrace.equipment import selectors as equipment_selectors
from medtrace.equipment.views import filter_equipment
from medtrace.inventory import selectors as inventory_selectors
from medtrace.inventory.choices import StockStatus
from medtrace.org import access
from medtrace.partners import selectors as partner_selectors
from medtrace.partners.qualification_views import EXPIRY_WARNING_DAYS
from medtrace.production import selectors as production_selectors
from medtrace.production.choices import WorkOrderStatus
from medtrace.quality import capa_selectors, deviation_selectors
from medtrace.quality import selectors as ncr_selectors
from medtrace.quality.capa_views import filter_capas
from medtrace.quality.deviation_views import filter_deviations
from medtrace.quality.views import filter_nonconformances
from medtrace.recall import selectors as recall_selectors
from medtrace.recall.choices import RecallStatus
from medtrace.recall.views import filter_recalls

from . import risk_views


@dataclass(frozen=True)
class Tile:
    key: str
    area: Promise
    label: Promise
    perm: str
    url_name: str
    query: dict
    # (user, site, memo) -> int, the rows the list shows with `query`; `memo` is shared by the
    # tiles counted for one page, so tiles over one computation run it once.
    count: Callable
    anchor: str = ""
    # Counted in a request of its own after the page (htmx): a count that walks genealogy
    # must not hold up the home page.
    deferred: bool = False

    def url(self) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        anchor = f"#{self.anchor}" if self.anchor else ""
        return f"{reverse(self.url_name)}{query}{anchor}"


def _at(records, site):
    return records if site is None else records.filter(site=site)


def _day(user, site):
    """The day at the site worked at (or the first the user may see), as the lists use it."""
    site = site or access.visible_sites(user).first()
    return site.local_date() if site is not None else timezone.localdate()


def _ncrs(data):
    def count(user, site, memo):
        ncrs = _at(ncr_selectors.visible_nonconformances(user), site)
        return filter_nonconformances(ncrs, data, timezone.localdate()).count()

    return count


def _capas(data):
    def count(user, site, memo):
        capas = _at(capa_selectors.visible_capas(user), site)
        return filter_capas(capas, data, timezone.localdate()).count()

    return count


def _deviations(data):
    def count(user, site, memo):
        deviations = _at(deviation_selectors.visible_deviations(user), site)
        return filter_deviations(deviations, data, timezone.localdate()).count()

    return count


def _on_hold(user, site, memo):
    today = site.local_date() if site is not None else timezone.localdate()
    return inventory_selectors.stock_list(
        user, today=today, site=site, status=StockStatus.ON_HOLD, text=""
    ).count()


def _expiring(bucket: int):
    def count(user, site, memo):
        if "expiry" not in memo:
            today = site.local_date() if site is not None else timezone.localdate()
            memo["expiry"] = list(inventory_selectors.expiry_forecast(user, today=today, site=site))
        return sum(1 for row in memo["expiry"] if row["bucket"] == bucket)

    return count


def _calibration(when: str):
    def count(user, site, memo):
        equipment = _at(equipment_selectors.visible_equipment(user), site)
        return filter_equipment(equipment, {"calibration": when}, _day(user, site)).count()

    return count


def _certificates(user, site, memo):
    if user.organization_id is None:
        return 0
    return len(partner_selectors.certificates_to_renew(user.organization_id, EXPIRY_WARNING_DAYS))


def _completed_orders(user, site, memo):
    orders = _at(production_selectors.visible_work_orders(user), site)
    return orders.filter(status=WorkOrderStatus.COMPLETED).count()


def _lots_at_risk(data):
    def count(user, site, memo):
        return len(risk_views.lots_at_risk(user, site, data))

    return count


def _recalls(status: str):
    def count(user, site, memo):
        recalls = _at(recall_selectors.visible_recalls(user), site)
        return filter_recalls(recalls, {"status": status}).count()

    return count


# Formatted when shown, in the reader's language (not once, at import).
_within = lazy(lambda days: gettext("Expiring within %(days)s days") % {"days": days}, str)

QUALITY, WAREHOUSE, PRODUCTION, SUPPLIERS, RECALLS = (
    _("Quality"), _("Warehouse"), _("Production and equipment"), _("Suppliers"), _("Recalls"),
)  # fmt: skip
NCR, CAPA, DEVIATION = "quality.view_nonconformance", "quality.view_capa", "quality.view_deviation"
STOCK, EQUIPMENT = "inventory.view_stock", "equipment.view_equipment"

TILES = [
    Tile("ncr_open", QUALITY, _("Open nonconformances"), NCR, "quality:ncr-list",
         {"open": "on"}, _ncrs({"open": True})),
    Tile("ncr_overdue", QUALITY, _("Nonconformances overdue"), NCR, "quality:ncr-list",
         {"overdue": "on"}, _ncrs({"overdue": True})),
    Tile("ncr_aging", QUALITY, _("Nonconformances open more than 30 days"), NCR,
         "quality:ncr-list", {"open": "on", "open_for": 30},
         _ncrs({"open": True, "open_for": 30})),
    Tile("capa_open", QUALITY, _("Open CAPAs"), CAPA, "quality:capa-list", {"open": "on"},
         _capas({"open": True})),
    Tile("capa_overdue", QUALITY, _("CAPAs overdue"), CAPA, "quality:capa-list",
         {"overdue": "on"}, _capas({"overdue": True})),
    Tile("capa_aging", QUALITY, _("CAPAs open more than 90 days"), CAPA, "quality:capa-list",
         {"open": "on", "open_for": 90}, _capas({"open": True, "open_for": 90})),
    Tile("deviation_open", QUALITY, _("Open deviations"), DEVIATION, "quality:deviation-list",
         {"open": "on"}, _deviations({"open": True})),
    Tile("deviation_aging", QUALITY, _("Deviations open more than 30 days"), DEVIATION,
         "quality:deviation-list", {"open": "on", "open_for": 30},
         _deviations({"open": True, "open_for": 30})),
    Tile("lots_high_risk", QUALITY, _("Lots with high risk signals"), NCR, "analytics:risk-list",
         {"level": "high"}, _lots_at_risk({"level": "high"}), deferred=True),
    Tile("stock_on_hold", WAREHOUSE, _("Stock on hold (lots and units per location)"), STOCK,
         "inventory:stock-list", {"status": StockStatus.ON_HOLD}, _on_hold),
    Tile("expired", WAREHOUSE, _("Expired, still in stock"), STOCK, "inventory:expiry", {},
         _expiring(0), anchor="bucket-0"),
    *(
        Tile(f"expiring_{days}", WAREHOUSE, _within(days),
             STOCK, "inventory:expiry", {}, _expiring(days), anchor=f"bucket-{days}")
        for days in inventory_selectors.FORECAST_DAYS
    ),
    Tile("orders_completed", PRODUCTION, _("Completed orders waiting for lot release"),
         "production.view_workorder", "production:workorder-list",
         {"status": WorkOrderStatus.COMPLETED}, _completed_orders),
    Tile("calibration_due", PRODUCTION, _("Calibrations due within 30 days"), EQUIPMENT,
         "equipment:equipment-list", {"calibration": "due30"}, _calibration("due30")),
    Tile("calibration_overdue", PRODUCTION, _("Calibrations overdue"), EQUIPMENT,
         "equipment:equipment-list", {"calibration": "overdue"}, _calibration("overdue")),
    Tile("certificates_expiring", SUPPLIERS, _("Supplier certificates to renew"),
         "partners.view_suppliercertificate", "partners:certificate-expiring", {},
         _certificates),
    Tile("recalls_draft", RECALLS, _("Recalls waiting for approval"), "recall.view_recall",
         "recall:recall-list", {"status": RecallStatus.DRAFT}, _recalls(RecallStatus.DRAFT)),
    Tile("recalls_approved", RECALLS, _("Recalls in progress"), "recall.view_recall",
         "recall:recall-list", {"status": RecallStatus.APPROVED},
         _recalls(RecallStatus.APPROVED)),
]  # fmt: skip


@dataclass(frozen=True)
class Shown:
    tile: Tile
    count: int | None  # None: deferred, loaded from count_url
    url: str

    @property
    def count_url(self) -> str:
        return reverse("core:tile-count", args=[self.tile.key])


def tiles_for(user, site) -> list[tuple[Promise, list[Shown]]]:
    """The tiles `user` may open, counted at `site` (None: all their sites), by area."""
    areas: dict[str, tuple[Promise, list[Shown]]] = {}
    memo = {}
    for tile in TILES:
        if not user.has_perm(tile.perm):
            continue
        count = None if tile.deferred else tile.count(user, site, memo)
        shown = Shown(tile, count, tile.url())
        areas.setdefault(str(tile.area), (tile.area, []))[1].append(shown)
    return list(areas.values())


def count_of(user, site, key: str) -> int | None:
    """A tile's count for `user` (None: no such tile, or not theirs to open)."""
    tile = next((tile for tile in TILES if tile.key == key), None)
    if tile is None or not user.has_perm(tile.perm):
        return None
    return tile.count(user, site, {})
