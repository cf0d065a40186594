"""Supplier quality: suppliers ranked on their incoming inspections, defects, nonconformances,
deliveries and CAPAs over a period, each linking to its inspections and nonconformances; as a
page and a CSV. The figures come from suppliers.py."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.core.csv_export import csv_download
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError

from . import suppliers


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
    return render(
        request,
        "analytics/supplier_quality.html",
        {"form": form, "ranked": ranked, "period": period, "error": error},
    )
