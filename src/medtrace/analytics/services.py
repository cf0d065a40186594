"""Acting on a trend. A broken Nelson rule on a control chart becomes, with one action, an
unplanned deviation scoped to the lots and the time of the points that broke it (the lots are
then held from release until it is closed, as for any deviation) or a CAPA from the trend
signal; a complaint trend that signals opens a CAPA the same way."""

from django.db import transaction
from django.utils.translation import gettext as _

from medtrace.analytics import complaint_trends
from medtrace.analytics.analysis import RULES, Analysis
from medtrace.analytics.complaint_trends import Trend
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality.choices import CapaSource, DeviationKind
from medtrace.quality.models import Capa, Deviation
from medtrace.quality.services.capa import open_capa
from medtrace.quality.services.complaints import link_capa
from medtrace.quality.services.deviation import open_deviation
from medtrace.trace.models import Lot


def _description(analysis: Analysis, points: list[int]) -> str:
    chart = analysis.chart
    lines = [
        _("Control chart: %(chart)s, limits from the first %(baseline)s points.")
        % {"chart": analysis.chart_name, "baseline": chart.baseline},
        _("Center %(center)s, limits %(lower)s – %(upper)s %(unit)s.")
        % {
            "center": plain(round(chart.location.center, 4)),
            "lower": plain(round(chart.location.lower, 4)),
            "upper": plain(round(chart.location.upper, 4)),
            "unit": analysis.series.unit,
        },
        _("Points:"),
    ]
    for index in points:
        group = analysis.points[index]
        lines.append(
            f"  {index + 1}. {group.label} {group.lot} {group.at:%Y-%m-%d %H:%M} "
            f"{plain(round(chart.points[index], 4))}"
        )
    return "\n".join(lines)


def _broken(analysis: Analysis, rule: int, first_point: int, by, perm: str):
    """The violation of `rule` from `first_point` as the chart shows it now, its points, and
    the site of its last point, where `by` must hold `perm`."""
    violation = analysis.violation(rule, first_point)
    if violation is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The chart shows no violation of rule %(rule)s from point %(point)s.")
            % {"rule": rule, "point": first_point + 1},
        )
    points = [analysis.points[index] for index in violation.points]
    site = Site.objects.get(pk=points[-1].site_id)
    if not access.permits(by, perm, site):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this at %(site)s (%(perm)s).")
            % {"site": site.code, "perm": perm},
        )
    return violation, points, site


def _title(analysis: Analysis, rule: int) -> str:
    return (
        _("SPC: %(series)s broke Nelson rule %(rule)s")
        % {"series": analysis.series.title, "rule": rule}
    )[:200]


@transaction.atomic
def raise_deviation(analysis: Analysis, *, rule: int, first_point: int, by) -> Deviation:
    """An unplanned deviation for the violation of `rule` starting at `first_point`, at the
    site of its last point, with the lots of its points there and their time window."""
    violation, points, site = _broken(analysis, rule, first_point, by, "quality.add_deviation")
    lot_ids = {point.lot_id for point in points if point.lot_id and point.site_id == site.pk}
    return open_deviation(
        site=site,
        kind=DeviationKind.UNPLANNED,
        title=_title(analysis, rule),
        description=f"{RULES[rule]}.\n{_description(analysis, list(violation.points))}",
        by=by,
        lots=list(Lot.objects.filter(pk__in=lot_ids, site=site).order_by("pk")),
        operation=analysis.series.operation,
        window_start=min(point.at for point in points),
        window_end=max(point.at for point in points),
    )


@transaction.atomic
def raise_capa(analysis: Analysis, *, rule: int, first_point: int, by) -> Capa:
    """A CAPA from the trend signal: the rule broken and its points as the problem
    statement, at the site of its last point."""
    violation, _points, site = _broken(analysis, rule, first_point, by, "quality.add_capa")
    return open_capa(
        site=site,
        title=_title(analysis, rule),
        source=CapaSource.TREND,
        problem_statement=f"{RULES[rule]}.\n{_description(analysis, list(violation.points))}",
        by=by,
    )


@transaction.atomic
def raise_trend_capa(trend: Trend, *, by, site=None) -> Capa:
    """A CAPA from a complaint trend that signals: the trend in words as the problem statement,
    at the site of the current period's latest complaint, where `by` must hold
    quality.add_capa."""
    if not trend.signal:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The complaint trend of %(item)s (%(problem)s) shows no signal.")
            % {"item": trend.item.code, "problem": trend.problem},
        )
    complaints = list(complaint_trends.current_complaints(by, site, trend))
    at = max(complaints, key=lambda complaint: (complaint.aware_on, complaint.pk)).site
    if not access.permits(by, "quality.add_capa", at):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this at %(site)s (%(perm)s).")
            % {"site": at.code, "perm": "quality.add_capa"},
        )
    title = _("Complaint trend: %(item)s, %(problem)s") % {
        "item": trend.item.code,
        "problem": trend.problem,
    }
    capa = open_capa(
        site=at,
        title=title[:200],
        source=CapaSource.TREND,
        problem_statement="\n".join(complaint_trends.statement(trend, complaints)),
        by=by,
    )
    # The complaints behind the signal point at the CAPA, where `by` may change them and none
    # points at another CAPA yet (the statement names them all either way).
    reason = _("Linked to %(capa)s (complaint trend signal)") % {"capa": capa.number}
    for complaint in complaints:
        if complaint.capa_id is None and access.permits(by, "quality.change_complaint", complaint):
            link_capa(complaint, capa=capa, by=by, reason=reason)
    return capa
