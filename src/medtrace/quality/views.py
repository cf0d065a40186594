"""The nonconformance pages: the list with filters and aging, the report form (a lot typed,
scanned or passed from its trace page), and the record with its linked lot, item, supplier and
equipment, its dispositions, the workflow actions the reader may take now (signed ones ask for
the password again) and its signatures. Every write goes through
quality.services.nonconformance; every query through quality.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.equipment.choices import EquipmentStatus
from medtrace.org import access
from medtrace.quality import selectors, workflow_views
from medtrace.quality.choices import NcrStatus
from medtrace.quality.forms import (
    DispositionForm,
    NonconformanceFilterForm,
    NonconformanceForm,
)
from medtrace.quality.services import nonconformance as services
from medtrace.quality.workflows import NCR
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import Lot

VIEW = "quality.view_nonconformance"
ADD = "quality.add_nonconformance"
REVIEW = "quality.review_nonconformance"

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "start_review": lambda ncr, by, data: services.start_review(ncr, by=by),
    "approve_dispositions": lambda ncr, by, data: services.approve_dispositions(
        ncr, by=by, password=data["password"], reason=data["reason"]
    ),
    "close": lambda ncr, by, data: services.close(
        ncr, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda ncr, by, data: services.cancel(ncr, by=by, reason=data["reason"]),
}


def filter_nonconformances(ncrs, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        ncrs = ncrs.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(lot__lot_number=text)
        )
    for field in ("status", "severity", "source", "site"):
        if data.get(field):
            ncrs = ncrs.filter(**{field: data[field]})
    if data.get("open"):
        ncrs = ncrs.filter(status__in=selectors.OPEN_STATES)
    if data.get("overdue"):
        ncrs = selectors.overdue(ncrs, today)
    if data.get("open_for"):
        ncrs = selectors.opened_more_than(ncrs, data["open_for"], today)
    if (data.get("supplier") or "").strip():
        ncrs = ncrs.filter(supplier__code__iexact=data["supplier"].strip())
    if data.get("opened_from"):
        ncrs = ncrs.filter(opened_at__date__gte=data["opened_from"])
    if data.get("opened_to"):
        ncrs = ncrs.filter(opened_at__date__lte=data["opened_to"])
    return ncrs


def with_aging(ncrs, today):
    for ncr in ncrs:
        ncr.age = selectors.age_in_days(ncr, today)
        ncr.overdue = selectors.is_overdue(ncr, today)
    return ncrs


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def ncr_list(request):
    sites = access.scoped(access.visible_sites(request.user), request.user, perm=VIEW)
    form = NonconformanceFilterForm(request.GET or None, sites=sites.order_by("code"))
    ncrs = selectors.visible_nonconformances(request.user)
    if request.site is not None:
        ncrs = ncrs.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    page = paginate(request, filter_nonconformances(ncrs, data, today))
    with_aging(page.object_list, today)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "quality/_ncr_table.html" if fragment else "quality/ncr_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "can_add": request.user.has_perm(ADD)},
    )


def _initial_from_lot(request, sites) -> dict:
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
    initial = {"lot": trace_selectors.shortest_code(request.user, lot)}
    if lot.site_id in {site.pk for site in sites}:
        initial["site"] = lot.site
    return initial


@perm_required(ADD)
def ncr_create(request):
    sites = access.scoped(access.visible_sites(request.user), request.user, perm=ADD).order_by(
        "code"
    )
    initial = {"site": request.site} if request.site in sites else {}
    if request.method != "POST":
        initial |= _initial_from_lot(request, sites)
    form = NonconformanceForm(request.POST or None, user=request.user, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            ncr = services.open_nonconformance(by=request.user, **fields)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Nonconformance %(number)s opened.") % {"number": ncr.number}
            )
            return redirect("quality:ncr-detail", ncr.pk)
    return render(request, "quality/ncr_form.html", {"form": form})


def _detail(request, ncr, *, bound=None, disposition_form=None):
    """The NCR page; `bound` is the (name, form) of an action that was refused, shown open
    with its errors."""
    today = timezone.localdate()
    user = request.user
    actions = workflow_views.offered(NCR, ncr, user, ACTIONS, bound)
    may_decide = ncr.status == NcrStatus.UNDER_REVIEW and user.has_perm(REVIEW, ncr)
    if may_decide and disposition_form is None:
        disposition_form = DispositionForm(ncr=ncr)
    dispositions = list(ncr.dispositions.select_related("decided_by", "executed_by", "event"))
    context = {
        "ncr": ncr,
        "age": selectors.age_in_days(ncr, today),
        "overdue": selectors.is_overdue(ncr, today),
        "equipment_status": (
            EquipmentStatus(ncr.equipment_status).label
            if ncr.equipment_status in EquipmentStatus.values
            else ncr.equipment_status
        ),
        "dispositions": dispositions,
        "decided": sum(row.quantity for row in dispositions),
        "actions": actions,
        "refused": bound[0] if bound is not None else None,
        "disposition_form": disposition_form if may_decide else None,
        "may_execute": ncr.status == NcrStatus.DISPOSITIONED and user.has_perm(REVIEW, ncr),
    }
    return render(request, "quality/ncr_detail.html", context)


@perm_required(VIEW)
def ncr_detail(request, pk: int):
    return _detail(request, selectors.get_nonconformance_or_404(request.user, pk))


@require_POST
@perm_required(VIEW)
def ncr_action(request, pk: int, action: str):
    """Take a workflow action: the action's form is parsed, the service decides; a refusal
    is shown on the form, beside the field it concerns."""
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    return workflow_views.take(
        request,
        ncr,
        action,
        workflow=NCR,
        actions=ACTIONS,
        reload=lambda: selectors.get_nonconformance_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound=bound),
        url=reverse("quality:ncr-detail", args=[pk]),
    )


@require_POST
@perm_required(REVIEW)
def ncr_disposition(request, pk: int):
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    if not request.user.has_perm(REVIEW, ncr):
        raise PermissionDenied
    form = DispositionForm(request.POST, ncr=ncr)
    if form.is_valid():
        try:
            services.add_disposition(ncr, by=request.user, **form.cleaned_data)
        except DomainError as error:
            ncr = selectors.get_nonconformance_or_404(request.user, pk)  # as it is now
            show_domain_error(form, error)
        else:
            messages.success(request, _("Disposition recorded."))
            return redirect("quality:ncr-detail", ncr.pk)
    if ncr.status != NcrStatus.UNDER_REVIEW:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("quality:ncr-detail", ncr.pk)
    return _detail(request, ncr, disposition_form=form)


@require_POST
@perm_required(REVIEW)
def ncr_execute(request, pk: int, disposition: int):
    """Mark an approved disposition carried out (a lot returned or scrapped is traced)."""
    ncr = selectors.get_nonconformance_or_404(request.user, pk)
    row = get_object_or_404(ncr.dispositions, pk=disposition)
    try:
        services.execute_disposition(row, note=request.POST.get("note", ""), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(decision)s carried out.") % {"decision": row.get_decision_display()}
        )
    return redirect("quality:ncr-detail", ncr.pk)
