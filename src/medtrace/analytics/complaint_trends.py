"""Complaint trends (EU MDR Article 88): complaints per device and per failure mode (the IMDRF
Annex A device problem code) month by month, normalized by the units shipped in the same months
(as last counted: exposure.py), and a signal when the current period's rate is significantly
above the baseline's.

The window is the last `current` months up to and including the month asked for (the current
period) and the `baseline` months before them. Two statistics, both from trending.py:
  - the exact conditional test of the two rates (one-sided, at `alpha`), with the interval of
    their ratio;
  - Lucas's Poisson CUSUM over the current months, with the baseline rate as in control and a
    doubling as the shift to detect.
Either one signals. Lots of a device are compared the same way: a lot's complaints over its
shipped units in the window against those of the device's other lots.

A complaint counts in the month of its awareness date (day 0 of the reporting clocks), on the
device it names; complaints without an identified device and cancelled ones (recorded in error)
are not counted. The reader sees complaints and shipments of the sites where they may read
complaints."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from medtrace.analytics import exposure, trending
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.months import add_months
from medtrace.org import access
from medtrace.quality.choices import ComplaintStatus
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.models import Capa, Complaint
from medtrace.trace.models import Lot

PERM = "quality.view_complaint"
CURRENT_MONTHS = 3
BASELINE_MONTHS = 12
ALPHAS = (0.05, 0.01)
CUSUM_SHIFT = 2.0
PER = 1000  # rates are shown per this many units shipped


def first_of_month(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Window:
    last_month: date  # the first day of the current period's last month
    current: int = CURRENT_MONTHS
    baseline: int = BASELINE_MONTHS
    alpha: float = ALPHAS[0]

    @property
    def months(self) -> list[date]:
        """The first day of every month of the window, oldest first."""
        first = add_months(self.last_month, 1 - self.current - self.baseline)
        return [add_months(first, index) for index in range(self.baseline + self.current)]

    @property
    def first_day(self) -> date:
        return self.months[0]

    @property
    def current_first_day(self) -> date:
        return self.months[self.baseline]

    @property
    def last_day(self) -> date:
        return add_months(self.last_month, 1) - timedelta(days=1)


def window(
    month: date | None,
    today: date,
    *,
    current: int = CURRENT_MONTHS,
    baseline: int = BASELINE_MONTHS,
    alpha: float = ALPHAS[0],
) -> Window:
    """The window ending with `month` (by default the month of `today`); refused, naming the
    rule, when it ends in a later month than today's or its periods are out of bounds."""
    last = first_of_month(month or today)
    if last > first_of_month(today):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The trend cannot end in %(month)s: that month has not begun.")
            % {"month": f"{last:%Y-%m}"},
            fields={"month": [_("This month or an earlier one.")]},
        )
    if not 1 <= current <= 12:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The current period is 1 to 12 months."),
            fields={"current": [_("1 to 12 months.")]},
        )
    if not 3 <= baseline <= 36:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The baseline is 3 to 36 months."),
            fields={"baseline": [_("3 to 36 months.")]},
        )
    if alpha not in ALPHAS:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The significance level is one of %(levels)s.")
            % {"levels": ", ".join(str(level) for level in ALPHAS)},
            fields={"alpha": [_("Choose a listed level.")]},
        )
    return Window(last, current, baseline, alpha)


@dataclass
class Trend:
    """One device's complaints (of one problem code, or of all: problem_code None) month by
    month over the window, against its units shipped."""

    item: Item
    problem_code: str | None
    window: Window
    counts: list[int]
    exposures: list[float]
    test: trending.RateTest | None = None
    cusum: trending.Cusum | None = None

    def __post_init__(self):
        baseline_count, baseline_units = self.baseline_count, self.baseline_units
        if baseline_units > 0 and self.current_units > 0:
            self.test = trending.rate_test(
                baseline_count,
                baseline_units,
                self.current_count,
                self.current_units,
                alpha=self.window.alpha,
                confidence=1 - 2 * self.window.alpha,
            )
        if baseline_count > 0 and baseline_units > 0:
            self.cusum = trending.poisson_cusum(
                self.counts[self.window.baseline :],
                self.exposures[self.window.baseline :],
                baseline_count / baseline_units,
                shift=CUSUM_SHIFT,
            )

    @property
    def problem(self) -> str:
        if self.problem_code is None:
            return _("All problems")
        if self.problem_code == "":
            return _("Not coded yet")
        return f"{self.problem_code} {DeviceProblem(self.problem_code).label}"

    @property
    def baseline_count(self) -> int:
        return sum(self.counts[: self.window.baseline])

    @property
    def current_count(self) -> int:
        return sum(self.counts[self.window.baseline :])

    @property
    def baseline_units(self) -> float:
        return sum(self.exposures[: self.window.baseline])

    @property
    def current_units(self) -> float:
        return sum(self.exposures[self.window.baseline :])

    @property
    def baseline_rate(self) -> float | None:
        return _per(self.baseline_count, self.baseline_units)

    @property
    def current_rate(self) -> float | None:
        return _per(self.current_count, self.current_units)

    @property
    def monthly_rates(self) -> list[float | None]:
        return [
            _per(count, units) for count, units in zip(self.counts, self.exposures, strict=True)
        ]

    @property
    def ratio(self) -> str:
        """The rate ratio as shown: '∞' when only the current period has complaints."""
        return _ratio(self.test.rate_ratio if self.test else None)

    @property
    def rate_signal(self) -> bool:
        return self.test is not None and self.test.signal

    @property
    def cusum_signal(self) -> bool:
        return self.cusum is not None and self.cusum.first_signal is not None

    @property
    def signal(self) -> bool:
        return self.rate_signal or self.cusum_signal

    @property
    def cusum_signal_month(self) -> date | None:
        if not self.cusum_signal:
            return None
        return self.window.months[self.window.baseline + self.cusum.first_signal]

    def sort_key(self) -> tuple:
        p_value = self.test.p_value if self.test is not None else 2.0
        return (not self.signal, p_value, self.item.code, self.problem_code or "")


@dataclass
class LotRate:
    lot: Lot
    complaints: int
    units: float
    others_complaints: int
    others_units: float
    test: trending.RateTest | None

    @property
    def rate(self) -> float | None:
        return _per(self.complaints, self.units)

    @property
    def others_rate(self) -> float | None:
        return _per(self.others_complaints, self.others_units)

    @property
    def signal(self) -> bool:
        return self.test is not None and self.test.signal


def _per(count: int, units: float) -> float | None:
    return PER * count / units if units > 0 else None


def site_ids(user, site) -> frozenset[int]:
    """The sites whose complaints and shipments the reader sees (narrowed to `site`)."""
    readable = access.site_ids_with_perm(user, PERM)
    return readable & {site.pk} if site is not None else readable


def counted_complaints(user, site, window: Window):
    """The complaints the trend counts: of an identified device, aware within the window, not
    cancelled, at the reader's sites."""
    return Complaint.objects.filter(
        site_id__in=site_ids(user, site),
        item__isnull=False,
        aware_on__gte=window.first_day,
        aware_on__lte=window.last_day,
    ).exclude(status=ComplaintStatus.CANCELLED)


def _month_index(window: Window) -> dict[date, int]:
    return {month: index for index, month in enumerate(window.months)}


@dataclass
class DeviceTrends:
    """A device's trend over all its complaints, and one per problem code it has."""

    total: Trend
    problems: list[Trend]

    @property
    def item(self) -> Item:
        return self.total.item

    @property
    def trends(self) -> list[Trend]:
        return [self.total, *self.problems]

    def sort_key(self) -> tuple:
        first = min(self.trends, key=Trend.sort_key)
        return (*first.sort_key()[:2], self.item.code)


def complaint_trends(user, *, site=None, window: Window, item=None) -> list[DeviceTrends]:
    """Every device with a counted complaint in the window (or only `item`), those with a
    signal first (the lowest p-value first)."""
    index = _month_index(window)
    counts: dict[tuple, list[int]] = {}
    complaints = counted_complaints(user, site, window)
    if item is not None:
        complaints = complaints.filter(item=item)
    rows = (
        complaints.annotate(month=TruncMonth("aware_on"))
        .values_list("item", "problem_code", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item_id, code, month, number in rows:
        for key in ((item_id, None), (item_id, code)):
            counts.setdefault(key, [0] * len(index))[index[first_of_month(month)]] += number
    item_ids = {item_id for item_id, _code in counts}
    shipped = exposure.units_shipped(
        window.months, site_ids=site_ids(user, site), item_ids=item_ids
    )
    items = Item.objects.in_bulk(item_ids)
    devices: dict[int, DeviceTrends] = {}
    for item_id in item_ids:
        exposures = [shipped.get((item_id, period), 0.0) for period in range(len(index))]
        total = Trend(items[item_id], None, window, counts[item_id, None], exposures)
        devices[item_id] = DeviceTrends(total, [])
    for (item_id, code), monthly in counts.items():
        if code is not None:
            device = devices[item_id]
            device.problems.append(
                Trend(device.item, code, window, monthly, device.total.exposures)
            )
    for device in devices.values():
        device.problems.sort(key=Trend.sort_key)
    return sorted(devices.values(), key=DeviceTrends.sort_key)


def device_trend(user, *, site=None, window: Window, item: Item, problem_code=None) -> Trend:
    """One device's trend (over all problems, or one problem code), even without complaints."""
    complaints = counted_complaints(user, site, window).filter(item=item)
    if problem_code is not None:
        complaints = complaints.filter(problem_code=problem_code)
    index = _month_index(window)
    monthly = [0] * len(index)
    for month in complaints.annotate(month=TruncMonth("aware_on")).values_list("month", flat=True):
        monthly[index[first_of_month(month)]] += 1
    shipped = exposure.units_shipped(
        window.months, site_ids=site_ids(user, site), item_ids=[item.pk]
    )
    exposures = [shipped.get((item.pk, period), 0.0) for period in range(len(index))]
    return Trend(item, problem_code, window, monthly, exposures)


def lot_rates(user, *, site=None, window: Window, item: Item, problem_code=None) -> list[LotRate]:
    """The device's lots with a counted complaint in the window, each against the device's
    other lots (complaints over units shipped in the window), highest rate first."""
    complaints = counted_complaints(user, site, window).filter(item=item, lot__isnull=False)
    if problem_code is not None:
        complaints = complaints.filter(problem_code=problem_code)
    per_lot = dict(complaints.values_list("lot").annotate(n=Count("pk")).order_by())
    if not per_lot:
        return []
    shipped = exposure.units_shipped(
        window.months, site_ids=site_ids(user, site), item_ids=[item.pk], by_lot=True
    )
    units: dict[int, float] = {}
    for (_item_id, lot_id, _period), quantity in shipped.items():
        units[lot_id] = units.get(lot_id, 0.0) + quantity
    all_complaints, all_units = sum(per_lot.values()), sum(units.values())
    lots = Lot.objects.in_bulk(list(per_lot))
    rates = []
    for lot_id, number in per_lot.items():
        lot_units = units.get(lot_id, 0.0)
        others_units = all_units - lot_units
        test = None
        if lot_units > 0 and others_units > 0:
            test = trending.rate_test(
                all_complaints - number, others_units, number, lot_units, alpha=window.alpha,
                confidence=1 - 2 * window.alpha,
            )  # fmt: skip
        rates.append(
            LotRate(lots[lot_id], number, lot_units, all_complaints - number, others_units, test)
        )
    return sorted(rates, key=lambda rate: (-(rate.rate or 0), rate.lot.lot_number))


def current_complaints(user, site, trend: Trend):
    """The counted complaints behind the trend's current period, oldest first."""
    complaints = counted_complaints(user, site, trend.window).filter(
        item=trend.item, aware_on__gte=trend.window.current_first_day
    )
    if trend.problem_code is not None:
        complaints = complaints.filter(problem_code=trend.problem_code)
    return complaints.select_related("site", "lot").order_by("aware_on", "pk")


def capas_of(user, complaints) -> list[Capa]:
    """The CAPAs the complaints point at, that the reader may see."""
    capa_ids = {complaint.capa_id for complaint in complaints if complaint.capa_id}
    return list(
        access.scoped(Capa.objects.filter(pk__in=capa_ids), user).order_by("opened_at", "pk")
    )


def _figure(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def _ratio(value: float | None) -> str:
    return "∞" if value == math.inf else _figure(value)


def _months(first: date, last: date) -> str:
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} – {last:%Y-%m}"


def statement(trend: Trend, complaints) -> list[str]:
    """The trend in words, line by line (a CAPA's problem statement, the trend report), in
    the reader's language."""
    window, months = trend.window, trend.window.months
    lines = [
        _("Complaint trend of %(item)s %(name)s: %(problem)s.")
        % {"item": trend.item.code, "name": trend.item.name, "problem": trend.problem},
    ]
    for label, first, last, count, units, rate in (
        (_("Baseline"), months[0], months[window.baseline - 1], trend.baseline_count,
         trend.baseline_units, trend.baseline_rate),
        (_("Current period"), window.current_first_day, months[-1], trend.current_count,
         trend.current_units, trend.current_rate),
    ):  # fmt: skip
        lines.append(
            _("%(period)s %(months)s: %(count)s complaints in %(units)s units shipped "
              "(%(rate)s per 1,000).")
            % {"period": label, "months": _months(first, last), "count": count,
               "units": _figure(units, 0), "rate": _figure(rate, 3)}
        )  # fmt: skip
    test = trend.test
    if test is None:
        lines.append(_("No rate test: a period without units shipped."))
    else:
        verdict = _("significant increase") if test.signal else _("no significant increase")
        lines.append(
            _("Rate ratio %(ratio)s (%(confidence)s interval %(low)s – %(high)s); one-sided "
              "p = %(p)s at significance level %(alpha)s: %(verdict)s.")
            % {"ratio": _ratio(test.rate_ratio), "confidence": f"{100 * (1 - 2 * window.alpha):g}%",
               "low": _ratio(test.ratio_interval.low), "high": _ratio(test.ratio_interval.high),
               "p": f"{test.p_value:.4f}", "alpha": window.alpha, "verdict": verdict}
        )  # fmt: skip
    if trend.cusum is None:
        lines.append(_("No CUSUM: the baseline has no complaints."))
    else:
        verdict = _("no signal")
        if trend.cusum_signal:
            verdict = _("signal in %(month)s") % {"month": f"{trend.cusum_signal_month:%Y-%m}"}
        lines.append(
            _("Poisson CUSUM (a doubling of the baseline rate, h = %(h)s): %(verdict)s.")
            % {"h": _figure(trend.cusum.decision_interval), "verdict": verdict}
        )
    numbers = ", ".join(complaint.number for complaint in complaints)
    if numbers:
        lines.append(_("Complaints of the current period: %(numbers)s.") % {"numbers": numbers})
    return lines
