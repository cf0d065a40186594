"""The CAPA pages: the list with filters, aging, due dates and open actions; the form that opens
a CAPA on its own, and escalation from an NCR; the record with its source, the investigation
(containment, five whys, fishbone, root cause, effectiveness criteria) editable while open or
implementing, its actions (added by QA, marked done with evidence by their owner or QA), the
effectiveness check's result, the workflow actions the reader may take now (verification and
closure are signed) and its signatures. Every write goes through quality.services.capa; every
query through quality.capa_selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
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
from medtrace.quality import capa_selectors as selectors
from medtrace.quality import workflow_views
from medtrace.quality.capa_forms import (
    ActionDoneForm,
    CapaActionForm,
    CapaFilterForm,
    CapaForm,
    EffectivenessForm,
    InvestigationForm,
)
from medtrace.quality.choices import CapaStatus, FishboneCategory
from medtrace.quality.selectors import get_nonconformance_or_404, opened_more_than
from medtrace.quality.services import capa as capas
from medtrace.quality.services.capa import OPEN_STATES
from medtrace.quality.workflows import CAPA

VIEW = "quality.view_capa"
ADD = "quality.add_capa"
CHANGE = "quality.change_capa"
# The states in which the investigation and the action plan may change (services.capa).
PLANNING = (CapaStatus.OPEN, CapaStatus.IMPLEMENTING)

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "start_implementation": lambda capa, by, data: capas.start_implementation(capa, by=by),
    "verify_implementation": lambda capa, by, data: capas.verify_implementation(
        capa, by=by, password=data["password"], reason=data["reason"]
    ),
    "close": lambda capa, by, data: capas.close(
        capa, by=by, password=data["password"], reason=data["reason"]
    ),
    "reopen": lambda capa, by, data: capas.reopen(capa, by=by, reason=data["reason"]),
    "cancel": lambda capa, by, data: capas.cancel(capa, by=by, reason=data["reason"]),
}


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def filter_capas(records, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        records = records.filter(Q(number__icontains=text) | Q(title__icontains=text))
    for field in ("site", "status", "source"):
        if data.get(field):
            records = records.filter(**{field: data[field]})
    if data.get("open"):
        records = records.filter(status__in=OPEN_STATES)
    if data.get("overdue"):
        records = selectors.overdue(records, today)
    if data.get("open_for"):
        records = opened_more_than(records, data["open_for"], today)
    return records


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def capa_list(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=VIEW).order_by("code")
    form = CapaFilterForm(request.GET or None, sites=sites)
    records = selectors.visible_capas(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    page = paginate(request, selectors.with_open_actions(filter_capas(records, data, today)))
    selectors.with_aging(page.object_list, today)
    template = "quality/_capa_table.html" if _fragment(request) else "quality/capa_list.html"
    return render(request, template, {"form": form, "page": page, "can_add": user.has_perm(ADD)})


@perm_required(ADD)
def capa_create(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    owners = selectors.possible_owners(sites)
    form = CapaForm(request.POST or None, sites=sites, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            capa = capas.open_capa(by=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s opened.") % {"number": capa.number})
            return redirect("quality:capa-detail", capa.pk)
    return render(request, "quality/capa_form.html", {"form": form})


def _detail(request, capa, bound=None, *, forms=None):
    """The CAPA's page. `bound` is the (name, form) of a workflow action that was refused;
    `forms` holds other refused forms by their key ("investigation", "action", "effectiveness",
    ("done", action id)), shown with their errors."""
    user, today, forms = request.user, timezone.localdate(), forms or {}
    may_change = user.has_perm(CHANGE, capa)
    planning = capa.status in PLANNING and may_change
    owners = selectors.possible_owners([capa.site])
    actions = selectors.actions_of(capa, today)
    for action in actions:
        may_complete = user.pk == action.owner_id or may_change
        if capa.status == CapaStatus.IMPLEMENTING and action.done_at is None and may_complete:
            action.done_form = forms.get(("done", action.pk)) or ActionDoneForm(action=action)
    context = {
        "capa": capa,
        "age": selectors.age_in_days(capa, today),
        "overdue": capas.is_overdue(capa, today),
        "actions": actions,
        "fishbone": [
            (category, label, capa.fishbone[category])
            for category, label in FishboneCategory.choices
            if capa.fishbone.get(category)
        ],
        "investigation_form": (
            forms.get("investigation") or InvestigationForm(capa=capa, owners=owners)
            if planning
            else None
        ),
        "action_form": (forms.get("action") or CapaActionForm(owners=owners)) if planning else None,
        "effectiveness_form": (
            forms.get("effectiveness") or EffectivenessForm(capa=capa)
            if capa.status == CapaStatus.EFFECTIVENESS_CHECK and may_change
            else None
        ),
        "transitions": workflow_views.offered(CAPA, capa, user, ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
    }
    return render(request, "quality/capa_detail.html", context)


@perm_required(VIEW)
def capa_detail(request, pk: int):
    return _detail(request, selectors.get_capa_or_404(request.user, pk))


def _change(request, pk: int, key, form, write, success: str, *, offered):
    """Parse `form` and call `write(capa, cleaned_data)` (workflow_views.submit); a refused
    form is shown on the page under `key`."""
    return workflow_views.submit(
        request,
        form,
        write,
        reload=lambda: selectors.get_capa_or_404(request.user, pk),
        url=reverse("quality:capa-detail", args=[pk]),
        detail=lambda capa, form: _detail(request, capa, forms={key: form}),
        success=success,
        offered=offered,
    )


@require_POST
@perm_required(CHANGE)
def capa_investigation(request, pk: int):
    capa = selectors.get_capa_or_404(request.user, pk)
    owners = selectors.possible_owners([capa.site])
    form = InvestigationForm(request.POST, capa=capa, owners=owners)
    return _change(
        request, pk, "investigation", form,
        lambda capa, data: capas.update_investigation(capa, by=request.user, **form.changes()),
        _("Investigation saved."),
        offered=lambda capa: capa.status in PLANNING,
    )  # fmt: skip


@require_POST
@perm_required(CHANGE)
def capa_add_action(request, pk: int):
    capa = selectors.get_capa_or_404(request.user, pk)
    form = CapaActionForm(request.POST, owners=selectors.possible_owners([capa.site]))
    return _change(
        request, pk, "action", form,
        lambda capa, data: capas.add_action(capa, by=request.user, **data),
        _("Action added."),
        offered=lambda capa: capa.status in PLANNING,
    )  # fmt: skip


@require_POST
@perm_required(VIEW)
def capa_action_done(request, pk: int, action_pk: int):
    """An action done, with its evidence: by its owner, or by QA for them."""
    action = selectors.get_action_or_404(request.user, action_pk)
    if action.capa_id != pk:
        return redirect("quality:capa-detail", pk)
    form = ActionDoneForm(request.POST, action=action)
    return _change(
        request, pk, ("done", action.pk), form,
        lambda capa, data: capas.complete_action(
            action, evidence=data["evidence"], by=request.user
        ),
        _("Action marked done."),
        offered=lambda capa: capa.status == CapaStatus.IMPLEMENTING and action.done_at is None,
    )  # fmt: skip


@require_POST
@perm_required(CHANGE)
def capa_effectiveness(request, pk: int):
    capa = selectors.get_capa_or_404(request.user, pk)
    form = EffectivenessForm(request.POST, capa=capa)
    return _change(
        request, pk, "effectiveness", form,
        lambda capa, data: capas.record_effectiveness(
            capa, result=data["effectiveness"], note=data["effectiveness_note"], by=request.user
        ),
        _("Effectiveness check recorded."),
        offered=lambda capa: capa.status == CapaStatus.EFFECTIVENESS_CHECK,
    )  # fmt: skip


@require_POST
@perm_required(VIEW)
def capa_transition(request, pk: int, action: str):
    """Take a workflow action: its form is parsed, the service decides; a refusal is shown on
    the form, beside the field it concerns."""
    capa = selectors.get_capa_or_404(request.user, pk)
    return workflow_views.take(
        request,
        capa,
        action,
        workflow=CAPA,
        actions=ACTIONS,
        reload=lambda: selectors.get_capa_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("quality:capa-detail", args=[pk]),
    )


@require_POST
@perm_required(ADD)
def ncr_escalate(request, pk: int):
    """Open the NCR's CAPA (its finding becomes the problem statement)."""
    ncr = get_nonconformance_or_404(request.user, pk)
    try:
        capa = capas.escalate_nonconformance(ncr, by=request.user)
    except DomainError as error:
        if error.code == ErrorCode.PERMISSION_DENIED:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
        return redirect("quality:ncr-detail", pk)
    messages.success(
        request, _("%(capa)s opened from %(record)s.") % {"capa": capa.number, "record": ncr.number}
    )
    return redirect("quality:capa-detail", capa.pk)
