"""Risk signals per lot: the quality evidence on a lot or on the lots it was made from, each
finding shown with its weight and a link to its record, summed into a score. The rules are
fixed and written out here and in the user guide; nothing is learned or hidden.

A finding belongs to the lot it names (the *source*): an open NCR on a resin lot, the lots in an
open deviation's scope, the lot of an order with a reading out of limits, a lot processed by
equipment inside a failed calibration's impact window, a lot received from a supplier that is
now conditional or disqualified, a lot with a complaint in the last year. It counts on the
source and on every lot made from it (trace.lineage), weighted by RULES (on the lot itself /
on a lot it was made from). A complaint also counts, with a lower weight, on its *sibling*
lots: lots of the same device made from a lot the complained-of lot was made from.

Each finding counts once per lot however many paths lead to it. The level follows the score:
0 none, LEVELS gives the lower bound of each other level. The reader sees findings from the
records they may read, at their sites, on the lots of their sites."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.calibration_selectors import lot_ids_processed
from medtrace.equipment.choices import ImpactReviewStatus
from medtrace.equipment.models import ImpactReview
from medtrace.org import access
from medtrace.partners.choices import SupplierStatus
from medtrace.production.models import ParameterReading
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.models import Complaint, Deviation, Nonconformance
from medtrace.quality.selectors import OPEN_STATES as NCR_OPEN
from medtrace.quality.services.deviation import NOT_CLOSED as DEVIATION_OPEN
from medtrace.trace.choices import LotOrigin
from medtrace.trace.lineage import lots_downstream, lots_upstream
from medtrace.trace.models import Lot

# The page lists lots with what was found on them: for whoever may read nonconformances.
PERM = "quality.view_nonconformance"
COMPLAINT_DAYS = 365


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    on_lot: int  # weight when the finding is on the lot itself
    inherited: int  # when it is on a lot it was made from (for complaints: on a sibling lot)
    perm: str  # what reading its record takes, at the record's site ("": no site's record)


RULES = {
    rule.code: rule
    for rule in [
        Rule("open_ncr", _("Open nonconformance"), 3, 2, "quality.view_nonconformance"),
        Rule("open_deviation", _("Open deviation"), 3, 2, "quality.view_deviation"),
        Rule(
            "calibration_open",
            _("Failed calibration, impact not yet assessed"),
            2,
            2,
            "equipment.view_impactreview",
        ),
        Rule(
            "calibration_assessed",
            _("Failed calibration, impact assessed"),
            1,
            1,
            "equipment.view_impactreview",
        ),
        Rule(
            "out_of_limits", _("Process readings out of limits"), 1, 1, "production.view_workorder"
        ),
        Rule("supplier_disqualified", _("Supplier disqualified"), 3, 3, ""),
        Rule("supplier_conditional", _("Supplier conditionally approved"), 1, 1, ""),
        Rule("complaint", _("Complaint in the last year"), 2, 1, "quality.view_complaint"),
    ]
}
# (lowest score, level): the first that the score reaches.
LEVELS = [(6, "high"), (3, "medium"), (1, "low")]
LEVEL_LABELS = {"high": _("High"), "medium": _("Medium"), "low": _("Low"), "none": _("None")}
LEVEL_BOUNDS = [(lowest, LEVEL_LABELS[level]) for lowest, level in LEVELS]


def level_of(score: int) -> str:
    return next((level for lowest, level in LEVELS if score >= lowest), "none")


@dataclass(frozen=True)
class Finding:
    """One piece of evidence on its source lot."""

    rule: Rule
    source_id: int
    record: str  # the record's number, as printed
    # The record's own words: a title, an equipment, a supplier, the first parameter out of
    # limits, a complaint's device problem code; `detail` puts them in the reader's language.
    note: str
    url: str
    site_id: int | None = None  # the record's site; None: no site's record (a supplier)
    count: int = 0  # readings out of limits

    @property
    def detail(self) -> str:
        if self.rule.code == "out_of_limits":
            return gettext("%(count)s readings out of limits (%(parameter)s)") % {
                "count": self.count,
                "parameter": self.note,
            }
        if self.rule.code == "complaint":
            # The device problem, not the description: that may name the patient.
            return str(DeviceProblem(self.note).label) if self.note else ""
        return self.note


@dataclass(frozen=True)
class Signal:
    """A finding as it counts on one lot."""

    finding: Finding
    weight: int
    via: Lot | None  # None: on the lot itself; else the lot it came through


@dataclass
class LotRisk:
    lot: Lot
    signals: list[Signal] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(signal.weight for signal in self.signals)

    @property
    def level(self) -> str:
        return level_of(self.score)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def findings(
    user, today: date, on_lots: set[int] | None = None, *, organization=None
) -> list[Finding]:
    """Every finding the reader may see, on lots of any site (a lot of one site is often made
    from another's), or only on `on_lots`. Without a reader: every finding of `organization`
    (what count() keeps for each reader to filter)."""

    def only(records, field="lot"):
        return records if on_lots is None else records.filter(**{f"{field}__in": on_lots})

    def readable(manager, **scope):
        if user is None:
            field = scope.get("site_field", "site").replace("site", "organization")
            return manager.filter(**{f"{field}_id": organization.pk})
        return access.scoped(manager.all(), user, **scope)

    found = []
    ncrs = readable(Nonconformance.objects).filter(status__in=NCR_OPEN, lot__isnull=False)
    for ncr in only(ncrs):
        url = reverse("quality:ncr-detail", args=[ncr.pk])
        found.append(
            Finding(RULES["open_ncr"], ncr.lot_id, ncr.number, ncr.title, url, ncr.site_id)
        )
    deviations = readable(Deviation.objects).filter(status__in=DEVIATION_OPEN)
    for deviation in deviations.prefetch_related("lots"):
        url = reverse("quality:deviation-detail", args=[deviation.pk])
        for lot in deviation.lots.all():
            if on_lots is not None and lot.pk not in on_lots:
                continue
            found.append(
                Finding(RULES["open_deviation"], lot.pk, deviation.number, deviation.title, url,
                        deviation.site_id)
            )  # fmt: skip
    readings = readable(
        ParameterReading.objects.filter(
            within_limits=False, operation__work_order__lot__isnull=False
        ),
        perm="production.view_workorder",
        site_field="operation__work_order__site",
    )
    found += _out_of_limits(only(readings, "operation__work_order__lot"))
    reviews = readable(ImpactReview.objects).select_related("calibration", "equipment")
    found += [f for f in _failed_calibrations(reviews) if on_lots is None or f.source_id in on_lots]
    lots = (
        Lot.objects.all() if organization is None else Lot.objects.filter(organization=organization)
    )
    found += _suppliers(only(lots, "pk"))
    since = today - timedelta(days=COMPLAINT_DAYS)
    complaints = readable(Complaint.objects).filter(aware_on__gte=since, lot__isnull=False)
    for complaint in only(complaints):
        url = reverse("quality:complaint-detail", args=[complaint.pk])
        found.append(
            Finding(RULES["complaint"], complaint.lot_id, complaint.number,
                    complaint.problem_code, url, complaint.site_id)
        )  # fmt: skip
    return found


def _out_of_limits(readings) -> list[Finding]:
    rows = readings.values(
        "operation__work_order", "operation__work_order__number",
        "operation__work_order__lot", "operation__work_order__site",
    ).annotate(count=Count("pk"), first=Min("parameter"))  # fmt: skip
    return [
        Finding(
            RULES["out_of_limits"],
            row["operation__work_order__lot"],
            row["operation__work_order__number"],
            row["first"],
            reverse("production:workorder-detail", args=[row["operation__work_order"]]),
            row["operation__work_order__site"],
            row["count"],
        )
        for row in rows
    ]


def _failed_calibrations(reviews) -> list[Finding]:
    found = []
    for review in reviews:
        rule = RULES[
            "calibration_open"
            if review.status == ImpactReviewStatus.OPEN
            else "calibration_assessed"
        ]
        url = reverse("equipment:impact-review", args=[review.pk])
        detail = f"{review.equipment.code} {review.equipment.name}"
        lot_ids = lot_ids_processed(review.equipment, review.window_start, review.window_end)
        for lot_id in sorted(lot_ids):
            found.append(
                Finding(rule, lot_id, review.calibration.number, detail, url, review.site_id)
            )
    return found


def _suppliers(lots) -> list[Finding]:
    """A supplier's status is no site's record: every reader of lots sees it."""
    found = []
    lots = lots.filter(
        origin=LotOrigin.RECEIVED,
        supplier__status__in=[SupplierStatus.CONDITIONAL, SupplierStatus.DISQUALIFIED],
    ).values_list("pk", "supplier__code", "supplier__name", "supplier__status")
    for lot_id, code, name, status in lots:
        rule = RULES[f"supplier_{status}"]
        url = reverse("partners:supplier-detail", args=[code])
        found.append(Finding(rule, lot_id, code, name, url))
    return found


def propagate(evidence: list[Finding]) -> dict[int, dict[tuple, tuple]]:
    """lot id -> {record: (finding, weight, the lot it came through)}. A record counts once per
    lot: on the lot itself if it names it, else through the first lot that led to it."""
    downstream = lots_downstream({finding.source_id for finding in evidence})
    siblings = _siblings({f.source_id for f in evidence if f.rule.code == "complaint"})
    counted = defaultdict(dict)
    for finding in evidence:
        rule, record = finding.rule, (finding.rule.code, finding.url)
        counted[finding.source_id][record] = (finding, rule.on_lot, None)
        reached = siblings if rule.code == "complaint" else downstream
        for lot_id in reached.get(finding.source_id, ()):
            counted[lot_id].setdefault(record, (finding, rule.inherited, finding.source_id))
    return counted


def assess(user, today: date, *, lots=None, on_lots: set[int] | None = None) -> list[LotRisk]:
    """The lots with at least one signal, highest score first: all the reader's lots, or the
    given queryset of lots (already scoped by the caller); `on_lots` narrows the findings to
    those lots (the caller knows no other finding reaches `lots`)."""
    counted = propagate(findings(user, today, on_lots))
    return lot_risks(readable_lots(user) if lots is None else lots, counted)


def lot_risks(lots, counted: dict[int, dict[tuple, tuple]]) -> list[LotRisk]:
    """The risks of those of `lots` that `counted` (as propagate gives it) has signals on,
    highest score first."""
    lots = lots.filter(pk__in=list(counted)).select_related("item", "site")
    via = Lot.objects.in_bulk(
        {via_id for signals in counted.values() for _f, _w, via_id in signals.values() if via_id}
    )
    risks = []
    for lot in lots:
        signals = [
            Signal(finding, weight, via.get(via_id) if via_id else None)
            for finding, weight, via_id in counted[lot.pk].values()
        ]
        signals.sort(key=lambda signal: (-signal.weight, signal.finding.record))
        risks.append(LotRisk(lot, signals))
    risks.sort(key=lambda risk: (-risk.score, risk.lot.item.code, risk.lot.lot_number))
    return risks


def readable_lots(user):
    return access.scoped(Lot.objects.all(), user, perm="trace.view_traceobject")


def of_lot(user, lot_id: int, today: date) -> LotRisk | None:
    """One lot's signals (none: an empty list), or None when the reader may not see the lot."""
    lots = readable_lots(user).filter(pk=lot_id)
    lot = lots.select_related("item", "site").first()
    if lot is None:
        return None
    # Only findings that can reach it: on it, on what it was made from, and (complaints) on
    # the lots of its device made from that.
    made_from = lots_upstream([lot.pk]).get(lot.pk, set()) | {lot.pk}
    found = assess(user, today, lots=lots, on_lots=made_from | _siblings({lot.pk})[lot.pk])
    return found[0] if found else LotRisk(lot)


def _siblings(lot_ids: set[int]) -> dict[int, set[int]]:
    """For each lot, the other lots of its item made from a lot it was made from. Walked up
    from every lot of those items: the walks up are narrow (a bill of materials), the walks
    down from a shared material reach most of the plant."""
    items = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "item_id"))
    same_item = dict(
        Lot.objects.filter(item_id__in=set(items.values())).values_list("pk", "item_id")
    )
    upstream = lots_upstream(same_item)
    return {
        lot_id: {
            other
            for other, item_id in same_item.items()
            if item_id == items[lot_id]
            and other != lot_id
            and upstream.get(other, set()) & upstream.get(lot_id, set())
        }
        for lot_id in items
    }
