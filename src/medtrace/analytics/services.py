"""Acting on a control chart: a broken Nelson rule becomes, with one action, an unplanned
deviation scoped to the lots and the time of the points that broke it (the lots are then held
from release until it is closed, as for any deviation) or a CAPA from the trend signal."""

from django.db import transaction
from django.utils.translation import gettext as _

from medtrace.analytics.analysis import RULES, Analysis
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.org.models import Site
from medtrace.quality.choices import CapaSource, DeviationKind
from medtrace.quality.models import Capa, Deviation
from medtrace.quality.services.capa import open_capa
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
