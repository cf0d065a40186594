"""The deviation pages: the list with filters and aging, the form that raises one (its lots
typed or scanned, its equipment, operation and time window, the impact and risk) and changes
it while open, and the record with its scope (each lot with the deviations keeping it from
release), the closure summary, the workflow actions the reader may take now (approval and
closure are signed), its CAPAs and signatures. Every write goes through
quality.services.deviation (and services.capa to escalate); every query through
quality.deviation_selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.quality import deviation_selectors as selectors
from medtrace.quality import workflow_views
from medtrace.quality.choices import DeviationStatus
from medtrace.quality.deviation_forms import (
    ClosureSummaryForm,
    DeviationFilterForm,
    DeviationForm,
)
from medtrace.quality.selectors import opened_more_than
from medtrace.quality.services import capa as capas
from medtrace.quality.services import deviation as deviations
from medtrace.quality.workflows import DEVIATION
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot

VIEW = "quality.view_deviation"
ADD = "quality.add_deviation"
CHANGE = "quality.change_deviation"
ADD_CAPA = "quality.add_capa"

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "approve": lambda deviation, by, data: deviations.approve(
        deviation, by=by, password=data["password"], reason=data["reason"]
    ),
    "close": lambda deviation, by, data: deviations.close(
        deviation, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda deviation, by, data: deviations.cancel(
        deviation, by=by, reason=data["reason"]
    ),
}


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def filter_deviations(records, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        records = records.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(lots__lot_number=text)
        ).distinct()
    for field in ("site", "kind", "status", "risk_level"):
        if data.get(field):
            records = records.filter(**{field: data[field]})
    if data.get("open"):
        records = records.filter(status__in=selectors.OPEN_STATES)
    if data.get("open_for"):
        records = opened_more_than(records, data["open_for"], today)
    return records


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def deviation_list(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=VIEW).order_by("code")
    form = DeviationFilterForm(request.GET or None, sites=sites)
    records = selectors.visible_deviations(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    page = paginate(request, selectors.with_lot_counts(filter_deviations(records, data, today)))
    for deviation in page.object_list:
        deviation.age = selectors.age_in_days(deviation, today)
    fragment = _fragment(request)
    template = "quality/_deviation_table.html" if fragment else "quality/deviation_list.html"
    return render(request, template, {"form": form, "page": page, "can_add": user.has_perm(ADD)})


def _initial_from_lot(request, sites) -> dict:
    """?lot=<id> from a lot's page: the lot and its site."""
    lot_id = request.GET.get("lot", "")
    if not lot_id.isdigit():
        return {}
    lot = (
        trace_selectors.visible(Lot.objects.select_related("site"), request.user)
        .filter(pk=int(lot_id))
        .first()
    )
    if lot is None:
        raise Http404
    initial = {"lots": trace_selectors.shortest_code(request.user, lot)}
    if lot.site_id in {site.pk for site in sites}:
        initial["site"] = lot.site
    return initial


@perm_required(ADD)
def deviation_create(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    if request.method != "POST":
        initial |= _initial_from_lot(request, sites)
    form = DeviationForm(request.POST or None, user=user, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deviation = deviations.open_deviation(by=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Deviation %(number)s opened.") % {"number": deviation.number}
            )
            return redirect("quality:deviation-detail", deviation.pk)
    return render(request, "quality/deviation_form.html", {"form": form, "deviation": None})


@perm_required(CHANGE)
def deviation_edit(request, pk: int):
    user = request.user
    deviation = selectors.get_deviation_or_404(user, pk)
    if not user.has_perm(CHANGE, deviation):
        raise PermissionDenied
    if deviation.status != DeviationStatus.OPEN and request.method != "POST":
        messages.error(request, _("Only an open deviation changes; this one is %(status)s.")
                       % {"status": deviation.get_status_display()})  # fmt: skip
        return redirect("quality:deviation-detail", deviation.pk)
    form = DeviationForm(request.POST or None, user=user, sites=None, deviation=deviation)
    if request.method == "POST" and form.is_valid():
        try:
            deviations.update_deviation(deviation, by=user, **form.changes())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s changed.") % {"number": deviation.number})
            return redirect("quality:deviation-detail", deviation.pk)
    return render(request, "quality/deviation_form.html", {"form": form, "deviation": deviation})


def _detail(request, deviation, bound=None, *, summary_form=None):
    """The deviation's page; `bound` is the (name, form) of a workflow action that was
    refused, shown open with its errors."""
    user = request.user
    may_summarize = deviation.status == DeviationStatus.APPROVED and user.has_perm(
        CHANGE, deviation
    )
    if may_summarize and summary_form is None:
        summary_form = ClosureSummaryForm(initial={"summary": deviation.closure_summary})
    context = {
        "deviation": deviation,
        "age": selectors.age_in_days(deviation, timezone.localdate()),
        "lots": selectors.lots_in_scope(deviation),
        "capas": list(deviation.capas.select_related("site").order_by("pk")),
        "actions": workflow_views.offered(DEVIATION, deviation, user, ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
        "may_edit": deviation.status == DeviationStatus.OPEN and user.has_perm(CHANGE, deviation),
        "may_escalate": deviation.status != DeviationStatus.CANCELLED
        and user.has_perm(ADD_CAPA, deviation),
        "summary_form": summary_form if may_summarize else None,
    }
    return render(request, "quality/deviation_detail.html", context)


@perm_required(VIEW)
def deviation_detail(request, pk: int):
    return _detail(request, selectors.get_deviation_or_404(request.user, pk))


@require_POST
@perm_required(VIEW)
def deviation_action(request, pk: int, action: str):
    """Take a workflow action: its form is parsed, the service decides; a refusal is shown on
    the form, beside the field it concerns."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    return workflow_views.take(
        request,
        deviation,
        action,
        workflow=DEVIATION,
        actions=ACTIONS,
        reload=lambda: selectors.get_deviation_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("quality:deviation-detail", args=[pk]),
    )


@require_POST
@perm_required(CHANGE)
def deviation_summary(request, pk: int):
    """The closure summary, written once the deviation is approved."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE, deviation):
        raise PermissionDenied
    form = ClosureSummaryForm(request.POST)
    if form.is_valid():
        try:
            deviations.record_closure_summary(
                deviation, summary=form.cleaned_data["summary"], by=request.user
            )
        except DomainError as error:
            deviation = selectors.get_deviation_or_404(request.user, pk)
            show_domain_error(form, error)
        else:
            messages.success(request, _("Closure summary recorded."))
            return redirect("quality:deviation-detail", pk)
    if deviation.status != DeviationStatus.APPROVED:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("quality:deviation-detail", pk)
    return _detail(request, deviation, summary_form=form)


@require_POST
@perm_required(ADD_CAPA)
def deviation_escalate(request, pk: int):
    """Open a CAPA whose problem is the deviation."""
    deviation = selectors.get_deviation_or_404(request.user, pk)
    try:
        capa = capas.escalate_deviation(deviation, by=request.user)
    except DomainError as error:
        if error.code == ErrorCode.PERMISSION_DENIED:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
        return redirect("quality:deviation-detail", pk)
    messages.success(
        request,
        _("%(capa)s opened from %(record)s.") % {"capa": capa.number, "record": deviation.number},
    )
    return redirect("quality:capa-detail", capa.pk)
