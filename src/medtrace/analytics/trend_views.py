"""Complaint trends: every device with complaints in the window, its rate against the baseline
and each failure mode's (a page and a CSV); one device's months, chart, failure modes and lots;
a CAPA from a signal; the trend report (PDF). Every count links to the complaints it counts.
The figures are complaint_trends.py's."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.catalog.choices import PackagingLevel
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.core.csv_export import csv_download
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.months import add_months
from medtrace.core.pdf import pdf_response, render_pdf
from medtrace.jobs.services import run_now
from medtrace.quality.complaint_forms import UNCODED
from medtrace.quality.imdrf import DeviceProblem

from . import complaint_trends as trends
from . import exposure, services
from .choices import COUNT_SHIPPED, ORGANIZATION_ARGUMENT

DAY = timedelta(days=1)


class TrendForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Up to month"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )  # fmt: skip
    current = forms.IntegerField(
        label=gettext_lazy("Current period (months)"), required=False, min_value=1, max_value=12
    )
    baseline = forms.IntegerField(
        label=gettext_lazy("Baseline (months)"), required=False, min_value=3, max_value=36
    )
    alpha = forms.TypedChoiceField(
        label=gettext_lazy("Significance level"), required=False, coerce=float,
        choices=[(str(alpha), str(alpha)) for alpha in trends.ALPHAS], empty_value=None,
    )  # fmt: skip

    def window(self, today) -> trends.Window:
        """The window asked for; what the form could not read falls back to the default."""
        data = self.cleaned_data if self.is_valid() else {}
        return trends.window(
            data.get("month"),
            today,
            current=data.get("current") or trends.CURRENT_MONTHS,
            baseline=data.get("baseline") or trends.BASELINE_MONTHS,
            alpha=data.get("alpha") or trends.ALPHAS[0],
        )


def window_query(window: trends.Window) -> dict:
    return {
        "month": f"{window.last_month:%Y-%m}",
        "current": window.current,
        "baseline": window.baseline,
        "alpha": window.alpha,
    }


def problem_param(code: str | None) -> str:
    """A problem code as the pages pass it: '' for all, UNCODED for complaints not coded."""
    if code is None:
        return ""
    return code or UNCODED


def problem_code_of(value: str) -> str | None:
    """The inverse of problem_param; an unknown code answers 404."""
    if not value:
        return None
    if value == UNCODED:
        return ""
    if value not in DeviceProblem.values:
        raise Http404
    return value


def complaints_url(item_id: int, first, last, *, problem_code=None, lot_id=None) -> str:
    """The complaint list showing exactly the complaints a trend counts."""
    query = {"item": item_id, "aware_from": first, "aware_to": last, "counted": "on"}
    if problem_code is not None:
        query["problem_code"] = problem_param(problem_code)
    if lot_id is not None:
        query["lot"] = lot_id
    return reverse("quality:complaint-list") + "?" + urlencode(query)


def trend_url(trend: trends.Trend, name: str = "analytics:complaint-trend") -> str:
    query = {**window_query(trend.window), "problem": problem_param(trend.problem_code)}
    return reverse(name, args=[trend.item.pk]) + "?" + urlencode(query)


def _with_links(trend: trends.Trend) -> trends.Trend:
    window = trend.window
    months = window.months
    trend.baseline_url = complaints_url(
        trend.item.pk, window.first_day, months[window.baseline] - DAY,
        problem_code=trend.problem_code,
    )  # fmt: skip
    trend.current_url = complaints_url(
        trend.item.pk, window.current_first_day, window.last_day, problem_code=trend.problem_code
    )
    trend.url = trend_url(trend)
    return trend


def _today(request):
    return request.site.local_date() if request.site else timezone.localdate()


def _window(request, form: TrendForm):
    """The window and the refusal to show, if any (the default window then)."""
    today = _today(request)
    try:
        return form.window(today), None
    except DomainError as refused:
        return trends.window(None, today), str(refused.message)


def _form(request, data) -> TrendForm:
    """The window's form, showing the default window until one is asked for."""
    default = trends.window(None, _today(request))
    return TrendForm(data or None, initial={**window_query(default), "month": default.last_month})


@perm_required(trends.PERM)
def trend_list(request):
    form = _form(request, request.GET)
    window, error = _window(request, form)
    devices = trends.complaint_trends(request.user, site=request.site, window=window)
    for device in devices:
        for trend in [device.total, *device.problems]:
            _with_links(trend)
    if request.GET.get("format") == "csv":
        return _trend_csv(devices)
    return render(
        request,
        "analytics/complaint_trends.html",
        {"form": form, "window": window, "devices": devices, "error": error,
         "query": urlencode(window_query(window)), "per": trends.PER,
         "counted": exposure.last_count(request.user.organization_id)},
    )  # fmt: skip


def _trend_csv(devices) -> HttpResponse:
    header = [_("Item"), _("Device problem"), _("Baseline complaints"), _("Baseline units shipped"),
              _("Baseline rate per 1,000"), _("Current complaints"), _("Current units shipped"),
              _("Current rate per 1,000"), _("Rate ratio"), _("p-value"), _("CUSUM signal"),
              _("Signal")]  # fmt: skip
    rows = (
        [trend.item.code, trend.problem, trend.baseline_count,
         _number(trend.baseline_units, 0), _number(trend.baseline_rate, 3),
         trend.current_count, _number(trend.current_units, 0), _number(trend.current_rate, 3),
         _number(trend.test.rate_ratio if trend.test else None, 3),
         _number(trend.test.p_value if trend.test else None, 5),
         f"{trend.cusum_signal_month:%Y-%m}" if trend.cusum_signal else "",
         _("Yes") if trend.signal else _("No")]
        for device in devices
        for trend in device.trends
    )  # fmt: skip
    return csv_download("complaint-trends.csv", header, rows)


def _number(value, places: int):
    if value is None or value == float("inf"):
        return "" if value is None else "inf"
    return round(value) if places == 0 else round(value, places)


def _device(request, pk: int):
    item = get_object_or_404(Item, pk=pk, organization_id=request.user.organization_id)
    form = _form(request, request.GET or request.POST)
    window, error = _window(request, form)
    data = request.GET if request.method == "GET" else request.POST
    code = problem_code_of(data.get("problem", ""))
    trend = trends.device_trend(
        request.user, site=request.site, window=window, item=item, problem_code=code
    )
    return form, trend, error


def _chart_data(trend: trends.Trend) -> dict:
    window = trend.window
    return {
        "months": [f"{month:%Y-%m}" for month in window.months],
        "baseline": window.baseline,
        "counts": trend.counts,
        "units": trend.exposures,
        "rates": [None if rate is None else round(rate, 4) for rate in trend.monthly_rates],
        "baseline_rate": None if trend.baseline_rate is None else round(trend.baseline_rate, 4),
        "cusum": ([None] * window.baseline + [round(value, 3) for value in
                  trend.cusum.statistics]) if trend.cusum else [],
        "h": round(trend.cusum.decision_interval, 3) if trend.cusum else None,
        "urls": [
            complaints_url(trend.item.pk, month, end, problem_code=trend.problem_code)
            for month, end in zip(window.months, _month_ends(window), strict=True)
        ],
    }  # fmt: skip


def _month_ends(window: trends.Window) -> list:
    return [add_months(month, 1) - DAY for month in window.months]


@perm_required(trends.PERM)
def device_trend(request, pk: int):
    form, trend, error = _device(request, pk)
    _with_links(trend)
    window = trend.window
    problems = [
        _with_links(problem)
        for device in trends.complaint_trends(
            request.user, site=request.site, window=window, item=trend.item
        )
        for problem in device.problems
    ]
    lots = trends.lot_rates(
        request.user, site=request.site, window=window, item=trend.item,
        problem_code=trend.problem_code,
    )  # fmt: skip
    for rate in lots:
        rate.url = complaints_url(
            trend.item.pk, window.first_day, window.last_day, problem_code=trend.problem_code,
            lot_id=rate.lot.pk,
        )  # fmt: skip
    data = _chart_data(trend)
    months = [
        {"month": month, "units": units, "count": count, "rate": rate, "url": url,
         "cusum": cusum, "current": index >= window.baseline}
        for index, (month, units, count, rate, url, cusum) in enumerate(
            zip(window.months, trend.exposures, trend.counts, trend.monthly_rates,
                data["urls"], data["cusum"] or [None] * len(window.months), strict=True)
        )
    ]  # fmt: skip
    return render(
        request,
        "analytics/complaint_trend.html",
        {"form": form, "trend": trend, "error": error, "problems": problems, "lots": lots,
         "months": months, "data": data, "per": trends.PER,
         "counted": exposure.last_count(request.user.organization_id),
         "query": urlencode(window_query(window)),
         "problem": problem_param(trend.problem_code),
         "may_raise_capa": request.user.has_perm("quality.add_capa"),
         "labels": {"complaints": _("Complaints"), "rate": _("Rate per 1,000 shipped"),
                    "baseline": _("Baseline rate"), "cusum": _("CUSUM"),
                    "h": _("Decision interval h"), "image": _("Save as image")}},
    )  # fmt: skip


@require_POST
@perm_required(trends.PERM)
def trend_capa(request, pk: int):
    """A CAPA from the device's trend (?problem=) as the window shows it now."""
    _form, trend, _error = _device(request, pk)
    back = trend_url(trend)
    try:
        capa = services.raise_trend_capa(trend, by=request.user, site=request.site)
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect(back)
    messages.success(request, _("%(number)s raised from the trend.") % {"number": capa.number})
    return redirect("quality:capa-detail", capa.pk)


@require_POST
@perm_required(trends.PERM)
def count_shipped(request):
    """Count the units shipped again now (the job's next hourly run would do it anyway)."""
    run_now(
        COUNT_SHIPPED,
        by=request.user,
        arguments={ORGANIZATION_ARGUMENT: request.user.organization_id},
    )
    messages.info(request, _("The units shipped are being counted; reload the page in a moment."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("analytics:complaint-trends")
    return redirect(back)


@perm_required(trends.PERM)
def trend_report(request, pk: int):
    """The trend report (EU MDR Article 88) of the device's trend, as a PDF."""
    _form, trend, _error = _device(request, pk)
    complaints = list(trends.current_complaints(request.user, request.site, trend))
    context = {
        "trend": trend,
        "statement": trends.statement(trend, complaints),
        "complaints": complaints,
        "capas": trends.capas_of(request.user, complaints),
        "identifier": DeviceIdentifier.objects.filter(
            item=trend.item, packaging_level=PackagingLevel.BASE_UNIT
        ).order_by("-is_active", "pk").first(),
        "months": list(zip(trend.window.months, trend.exposures, trend.counts,
                           trend.monthly_rates, strict=True)),
        "organization": request.user.organization,
        "printed_at": timezone.now(),
        "counted": exposure.last_count(request.user.organization_id),
        "per": trends.PER,
    }  # fmt: skip
    pdf = render_pdf("analytics/trend_report_pdf.html", context, request=request)
    return pdf_response(pdf, f"trend-report-{trend.item.code}-{trend.window.last_month:%Y-%m}.pdf")
