"""Lot risk signals: the lots with quality evidence on them or on what they were made from,
highest score first (a page and a CSV), one lot's signals with the rules that weighed them,
and the panel on the lot's own page. The scoring is risk.py's; the list reads the last stored
assessment (risk_store.py), a lot's page and panel assess it live."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.core.csv_export import csv_download
from medtrace.core.decorators import perm_required
from medtrace.core.paging import paginate
from medtrace.jobs.services import run_now

from . import risk, risk_store
from .choices import ASSESS_RISK, ORGANIZATION_ARGUMENT

LEVEL_CHOICES = [
    ("", gettext_lazy("Any level")),
    ("high", risk.LEVEL_LABELS["high"]),
    ("medium", gettext_lazy("Medium or high")),
    ("low", gettext_lazy("Low or higher")),
]
LEVEL_ORDER = ["none", "low", "medium", "high"]


class RiskFilter(forms.Form):
    item = forms.CharField(label=gettext_lazy("Item"), required=False, max_length=40)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False, choices=LEVEL_CHOICES)


def filter_risks(risks: list[risk.LotRisk], data: dict) -> list[risk.LotRisk]:
    """The rows a list shows for the filter `data` (also what the home tile counts)."""
    item = (data.get("item") or "").strip().upper()
    if item:
        risks = [row for row in risks if row.lot.item.code.upper() == item]
    if data.get("level"):
        lowest = LEVEL_ORDER.index(data["level"])
        risks = [row for row in risks if LEVEL_ORDER.index(row.level) >= lowest]
    return risks


def lots_at_risk(user, site, data: dict) -> list[risk.LotRisk]:
    """The reader's lots at risk as last assessed (risk_store), filtered by `data`."""
    lots = risk.readable_lots(user)
    if site is not None:
        lots = lots.filter(site=site)
    return filter_risks(risk_store.stored_risks(user, lots), data)


def today_at(site):
    return site.local_date() if site is not None else timezone.localdate()


def _today(request):
    return today_at(request.site)


@perm_required(risk.PERM)
def risk_list(request):
    form = RiskFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = lots_at_risk(request.user, request.site, data)
    if request.GET.get("format") == "csv":
        return _risk_csv(rows)
    return render(
        request,
        "analytics/risk_list.html",
        {"form": form, "page": paginate(request, rows), "rules": risk.RULES.values(),
         "level_bounds": risk.LEVEL_BOUNDS,
         "assessed": risk_store.last_assessment(request.user.organization_id)},
    )  # fmt: skip


def _risk_csv(rows) -> HttpResponse:
    def signals(row) -> str:
        return "; ".join(
            f"{signal.finding.rule.label} {signal.finding.record} (+{signal.weight})"
            for signal in row.signals
        )

    header = [_("Item"), _("Lot"), _("Site"), _("Score"), _("Level"), _("Signals")]
    lines = (
        [row.lot.item.code, row.lot.lot_number, row.lot.site.code if row.lot.site else "",
         row.score, row.level_label, signals(row)]
        for row in rows
    )  # fmt: skip
    return csv_download("lot-risk.csv", header, lines)


def _lot_risk(request, pk: int) -> risk.LotRisk:
    found = risk.of_lot(request.user, pk, _today(request))
    if found is None:
        raise Http404
    return found


@perm_required(risk.PERM)
def lot_risk(request, pk: int):
    found = _lot_risk(request, pk)
    return render(
        request,
        "analytics/lot_risk.html",
        {"lot": found.lot, "risk": found, "rules": risk.RULES.values(),
         "level_bounds": risk.LEVEL_BOUNDS},
    )  # fmt: skip


@perm_required(risk.PERM)
def lot_risk_panel(request, pk: int):
    """The lot page's panel, loaded after the page (htmx)."""
    found = _lot_risk(request, pk)
    return render(request, "analytics/_lot_risk_panel.html", {"lot": found.lot, "risk": found})


@require_POST
@perm_required(risk.PERM)
def assess_again(request):
    """Assess the lots again now (the job's next hourly run would do it anyway)."""
    run_now(
        ASSESS_RISK,
        by=request.user,
        arguments={ORGANIZATION_ARGUMENT: request.user.organization_id},
    )
    messages.info(request, _("The lots are being assessed again; reload the page in a moment."))
    return redirect("analytics:risk-list")
