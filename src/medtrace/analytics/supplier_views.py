"""Supplier quality: suppliers ranked on their incoming inspections, defects, nonconformances,
deliveries and CAPAs over a period, each linking to its inspections and nonconformances; and a
supplier's quality quarter by quarter with its drift test. As pages and CSVs; the figures come
from suppliers.py and supplier_trends.py."""

import math

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.core.csv_export import csv_download
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.partners import selectors as partner_selectors

from . import supplier_trends, suppliers


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def period(self, today) -> suppliers.Period:
        data = self.cleaned_data if self.is_valid() else {}
        return suppliers.period(data.get("since"), data.get("until"), today)


def _supplier_csv(ranked) -> HttpResponse:
    header = [_("Rank"), _("Supplier"), _("Incoming inspections"), _("Accepted"),
              _("Acceptance rate") + " %", _("Units sampled"), _("Defective"), _("PPM"),
              _("Nonconformances"), _("Receipts"), _("On-time rate") + " %", _("CAPAs open"),
              _("Mean days to close a CAPA")]  # fmt: skip
    rows = (
        [row.rank, row.supplier.code, row.inspections, row.accepted,
         _rounded(row.acceptance_rate, 1), row.sampled, row.defective, _rounded(row.ppm, 0),
         row.ncrs, row.receipts, _rounded(row.on_time_rate, 1), row.capas_open,
         _rounded(row.mean_days_to_close, 1)]
        for row in ranked
    )  # fmt: skip
    return csv_download("supplier-quality.csv", header, rows)


def _ratio_text(test) -> str:
    if test is None or test.rate_ratio is None:
        return "–"
    return "∞" if math.isinf(test.rate_ratio) else f"{test.rate_ratio:.2f}"


def _rounded(value, places: int):
    if value is None:
        return ""
    return round(value) if places == 0 else round(value, places)


@perm_required(suppliers.PERM)
def supplier_quality(request):
    """Suppliers ranked on their quality over a period (the last year by default)."""
    today = request.site.local_date() if request.site else timezone.localdate()
    form = PeriodForm(request.GET or None)
    ranked, error, period = [], None, suppliers.Period.default(today)
    try:
        period = form.period(today)
        ranked = suppliers.supplier_quality(request.user, site=request.site, period=period)
    except DomainError as refused:
        error = str(refused.message)
    if request.GET.get("format") == "csv" and error is None:
        return _supplier_csv(ranked)
    trends = supplier_trends.supplier_trends(request.user, site=request.site, today=today)
    drifting = {supplier_id for supplier_id, trend in trends.items() if trend.drift.signal}
    return render(
        request,
        "analytics/supplier_quality.html",
        {"form": form, "ranked": ranked, "period": period, "error": error,
         "drifting": drifting},
    )  # fmt: skip


class QuartersForm(forms.Form):
    quarters = forms.IntegerField(
        label=gettext_lazy("Quarters"), required=False,
        widget=forms.NumberInput(attrs={"min": supplier_trends.MIN_QUARTERS,
                                        "max": supplier_trends.MAX_QUARTERS}),
    )  # fmt: skip

    def count(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("quarters") or supplier_trends.DEFAULT_QUARTERS


def inspections_url(supplier, period: suppliers.Period) -> str:
    """The incoming inspections a figure counts: the supplier's, completed in the period."""
    query = {"stage": "incoming", "supplier": supplier.code,
             "completed_from": period.since, "completed_to": period.until}  # fmt: skip
    return f"{reverse('quality:inspection-list')}?{urlencode(query)}"


def ncrs_url(supplier, period: suppliers.Period) -> str:
    query = {"supplier": supplier.code, "opened_from": period.since, "opened_to": period.until}
    return f"{reverse('quality:ncr-list')}?{urlencode(query)}"


def _trend_csv(trend) -> HttpResponse:
    header = [_("Quarter"), _("First day"), _("Last day"), _("Incoming inspections"),
              _("Accepted"), _("Acceptance rate") + " %", _("Units sampled"), _("Defective"),
              _("PPM"), _("Nonconformances"), _("Receipts"), _("On-time rate") + " %"]  # fmt: skip
    rows = (
        [row.quarter.label, row.quarter.first_day, row.quarter.last_day, row.inspections,
         row.accepted, _rounded(row.acceptance_rate, 1), row.sampled, row.defective,
         _rounded(row.ppm, 0), row.ncrs, row.receipts, _rounded(row.on_time_rate, 1)]
        for row in trend.quarters
    )  # fmt: skip
    return csv_download(f"supplier-trend-{trend.supplier.code}.csv", header, rows)


@perm_required(suppliers.PERM)
def supplier_trend(request, code: str):
    """A supplier's quality quarter by quarter (the last eight by default) and its drift."""
    supplier = partner_selectors.get_supplier_or_404(request.user, code)
    today = request.site.local_date() if request.site else timezone.localdate()
    form = QuartersForm(request.GET or None, initial={"quarters": supplier_trends.DEFAULT_QUARTERS})
    count, error = form.count(), None
    try:
        trend = supplier_trends.trend_of(
            request.user, supplier, site=request.site, count=count, today=today
        )
    except DomainError as refused:
        error, count = str(refused.message), supplier_trends.DEFAULT_QUARTERS
        trend = supplier_trends.trend_of(
            request.user, supplier, site=request.site, count=count, today=today
        )
    if request.GET.get("format") == "csv" and error is None:
        return _trend_csv(trend)
    rows = [
        {"figures": figures, "inspections_url": inspections_url(supplier, figures.quarter.period),
         "ncrs_url": ncrs_url(supplier, figures.quarter.period)}
        for figures in trend.quarters
    ]  # fmt: skip
    drift = trend.drift
    data = supplier_trends.as_data(trend)
    data["urls"] = [row["inspections_url"] for row in rows]
    labels = {"ppm": _("PPM"), "acceptance": _("Acceptance rate"),
              "on_time": _("On-time rate"), "image": _("Save as image")}  # fmt: skip
    return render(
        request,
        "analytics/supplier_trend.html",
        {"form": form, "trend": trend, "rows": rows, "count": count, "error": error,
         "data": data, "labels": labels, "drift": drift, "earlier": trend.earlier,
         "ratios": {"defects": _ratio_text(drift.defects),
                    "rejections": _ratio_text(drift.rejections)},
         "alpha": supplier_trends.ALPHA},
    )  # fmt: skip
