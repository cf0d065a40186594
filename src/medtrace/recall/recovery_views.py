"""Recovery and effectiveness on the recall's page (progress bars, each consignee's status and
quantities, the effectiveness level, the closure criteria still open, linking the CAPA), and a
drill's report (its timing against the targets and the previous drills, the scope, the notices'
timeline) as a page and a PDF. Every write goes through recall.services."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.pdf import pdf_response, render_pdf
from medtrace.inventory.choices import StockStatus
from medtrace.quality import capa_selectors

from . import selectors
from .choices import RecallStatus
from .services import closure, drills, effectiveness, recalls

VIEW, CHANGE = selectors.VIEW, selectors.CHANGE
LINKABLE = (RecallStatus.DRAFT, RecallStatus.APPROVED)


class CapaLinkForm(forms.Form):
    capa = forms.CharField(
        label=gettext_lazy("CAPA number"), max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "CAPA-2026-0001", "autocomplete": "off"}),
    )  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)


def bars(found: effectiveness.Progress) -> list[dict]:
    """The progress bars: what share of the consignees (or of the quantity shipped)."""
    return [
        {"key": "contacted", "label": _("Contacted"), "done": found.contacted,
         "total": found.total, "percent": found.contacted_pct},
        {"key": "responded", "label": _("Responded"), "done": found.responded,
         "total": found.total, "percent": found.responded_pct},
        {"key": "accounted", "label": _("Accounted for"), "done": found.accounted,
         "total": found.total, "percent": found.accounted_pct},
        {"key": "recovered", "label": _("Recovered (quantity)"), "done": found.returned_quantity,
         "total": found.shipped_quantity, "percent": found.recovered_pct, "uom": found.uom},
    ]  # fmt: skip


def section(recall, user) -> dict:
    """The recovery section of the recall's page."""
    found = effectiveness.progress(recall)
    may_link = recall.status in LINKABLE and user.has_perm(CHANGE, recall)
    return {
        "recovery": found,
        "recovery_bars": bars(found),
        "closure_open": (
            closure.open_criteria(recall, found) if recall.status == RecallStatus.APPROVED else []
        ),
        "capa_form": CapaLinkForm() if may_link else None,
        "may_hold": recall.status == RecallStatus.APPROVED
        and not recall.drill
        and user.has_perm(CHANGE, recall)
        and any(row.status != StockStatus.RECALLED for row in found.unsettled),
    }


@require_POST
@perm_required(CHANGE)
def link_capa(request, pk: int):
    """Link the CAPA named by its number (one the reader may see) to the recall."""
    user = request.user
    recall = selectors.get_recall_or_404(user, pk)
    url = reverse("recall:recall-detail", args=[pk]) + "#recovery-heading"
    form = CapaLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the CAPA's number."))
        return redirect(url)
    number = form.cleaned_data["capa"].strip()
    capa = capa_selectors.visible_capas(user).filter(number__iexact=number).first()
    if capa is None:
        messages.error(request, _("No CAPA %(number)s that you may see.") % {"number": number})
        return redirect(url)
    try:
        closure.link_capa(recall, capa, by=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.code == ErrorCode.PERMISSION_DENIED:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(capa)s is linked to %(recall)s.") % {"capa": capa.number, "recall": recall.number},
        )
    return redirect(url)


@require_POST
@perm_required(CHANGE)
def hold_what_came_back(request, pk: int):
    """Put on status recalled what of the scope is back in our stock (returns come back in
    quarantine)."""
    recall = selectors.get_recall_or_404(request.user, pk)
    try:
        event = recalls.hold_what_came_back(recall, by=request.user)
    except DomainError as error:
        if error.code == ErrorCode.PERMISSION_DENIED:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
    else:
        if event is None:
            messages.info(request, _("Everything of the scope in our stock is recalled already."))
        else:
            messages.success(request, _("What came back is on status recalled."))
    return redirect(reverse("recall:recall-detail", args=[pk]) + "#our-stock-heading")


def _drill_or_404(request, pk: int):
    recall = selectors.get_recall_or_404(request.user, pk)
    if not recall.drill:
        raise Http404
    return recall


def _report_context(request, recall) -> dict:
    found = drills.report(recall, among=selectors.visible_recalls(request.user))
    return {"recall": recall, "report": found, "scope": found.progress.scope}


@perm_required(VIEW)
def drill_report(request, pk: int):
    recall = _drill_or_404(request, pk)
    return render(request, "recall/drill_report.html", _report_context(request, recall))


@perm_required(VIEW)
def drill_report_pdf(request, pk: int):
    recall = _drill_or_404(request, pk)
    context = _report_context(request, recall) | {
        "organization": recall.site.organization,
        "printed_at": timezone.now(),
    }
    pdf = render_pdf("recall/drill_report_pdf.html", context, request=request)
    drills.record_export(recall, by=request.user, size=len(pdf))
    return pdf_response(pdf, f"{recall.number}-drill-report.pdf")
