"""SPC pages: every charted series with its state, and one series' control chart (chart, the
points as a table, capability, the rules broken, a CSV export), from which a broken rule
raises a deviation. Business rules live in analysis.py and services.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.csv_export import csv_download
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode

from . import selectors, services
from .analysis import analyse, as_data

VIEW = selectors.INSPECTION_PERM


@perm_required(VIEW)
def spc_list(request):
    return render(
        request,
        "analytics/spc_list.html",
        {
            "parameters": selectors.parameter_series(request.user),
            "characteristics": selectors.characteristic_series(request.user),
        },
    )


def _series(request, source):
    series = selectors.named(request.user, source)
    if series is None:
        raise Http404
    return series


def _whole_number(source, name: str) -> int:
    try:
        return int(source.get(name, ""))
    except ValueError:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The rule and the first point are whole numbers."),
            fields={name: [_("A whole number.")]},
        ) from None


def _baseline(source) -> int | None:
    value = source.get("baseline", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # refused by the analysis, naming the range


def _csv(series, analysis) -> HttpResponse:
    header = [_("Point"), _("Record"), _("Lot"), _("Time"), _("Measured values"), _("Plotted"),
              _("Spread")]  # fmt: skip
    rows = (
        [number, point["label"], point["lot"], point["at"],
         " ".join(str(value) for value in point["values"]), point["value"], point["spread"]]
        for number, point in enumerate(as_data(analysis)["points"], start=1)
    )  # fmt: skip
    return csv_download("spc.csv", header, rows)


@perm_required(VIEW)
def spc_chart(request):
    """One series' chart: a parameter (?item=&operation=&parameter=) or a characteristic
    (?characteristic=), limits from the first ?baseline= points."""
    series = _series(request, request.GET)
    analysis, error = None, None
    try:
        analysis = analyse(series, _baseline(request.GET))
    except DomainError as refused:
        error = str(refused.message)
    if analysis is not None and request.GET.get("format") == "csv":
        return _csv(series, analysis)
    data = as_data(analysis) if analysis is not None else None
    rows = []
    if analysis is not None:
        rows = list(zip(analysis.points, data["points"], strict=True))
    return render(
        request,
        "analytics/spc_chart.html",
        {
            "series": series,
            "analysis": analysis,
            "data": data,
            "rows": rows,  # (subgroup, its point as the chart shows it)
            "error": error,
            "query": urlencode(series.query),
            "baseline": request.GET.get("baseline", ""),
            "may_raise_deviation": request.user.has_perm("quality.add_deviation"),
            "may_raise_capa": request.user.has_perm("quality.add_capa"),
            "labels": {
                "center": _("Center"),
                "ucl": _("UCL"),
                "lcl": _("LCL"),
                "usl": _("USL"),
                "lsl": _("LSL"),
                "broken": _("Rule broken"),
                "value": _("Value"),
                "lot": _("Lot"),
                "spread": _("Spread"),
                "image": _("Save as image"),
            },
        },
    )


# What a broken rule can raise: the service, and the page the new record opens on.
RAISE = {
    "deviation": (services.raise_deviation, "quality:deviation-detail"),
    "capa": (services.raise_capa, "quality:capa-detail"),
}


@require_POST
@perm_required(VIEW)
def spc_raise(request):
    """A deviation or a CAPA (?record=) from a rule broken on the chart; each service checks
    the role at the site of the violation's last point."""
    series = _series(request, request.POST)
    baseline = _baseline(request.POST)
    back = (
        reverse("analytics:spc-chart")
        + "?"
        + urlencode({**series.query, **({"baseline": baseline} if baseline else {})})
    )
    raise_record, detail = RAISE.get(request.POST.get("record", ""), RAISE["deviation"])
    try:
        record = raise_record(
            analyse(series, baseline),
            rule=_whole_number(request.POST, "rule"),
            first_point=_whole_number(request.POST, "first"),
            by=request.user,
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect(back)
    messages.success(request, _("%(number)s raised from the chart.") % {"number": record.number})
    return redirect(detail, record.pk)
