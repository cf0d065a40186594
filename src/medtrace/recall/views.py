"""The recall pages: the list of recalls and drills with their scope counts and next deadline,
the form that starts one (from lots, units or cases typed or scanned, or a supplier's lot; a
lot's or unit's trace page prefills it), and the recall with its classification, the
regulators' deadlines, its scope by place (our stock with each lot's status, work in progress,
each consignee), the scope's versions with their differences, the rescoping form, the workflow
actions the reader may take now (approval and closure are signed), signatures and history.
Every write goes through recall.services.recalls; every query through recall.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.quality import workflow_views
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import TraceObject

from . import notice_views, recovery_views, report_views, selectors
from .choices import Place, RecallStatus
from .forms import RecallFilterForm, RecallForm, RescopeForm
from .services import recalls
from .services.recalls import ROOT_KINDS
from .workflows import RECALL

VIEW, ADD, CHANGE = selectors.VIEW, selectors.ADD, selectors.CHANGE
RESCOPING = (RecallStatus.DRAFT, RecallStatus.APPROVED)

# The service each workflow action calls, given the record, the user and the action's form.
ACTIONS = {
    "approve": lambda recall, by, data: recalls.approve(
        recall, by=by, password=data["password"], reason=data["reason"]
    ),
    "close": lambda recall, by, data: recalls.close(
        recall, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda recall, by, data: recalls.cancel(recall, by=by, reason=data["reason"]),
}


def _fragment(request, target: str) -> bool:
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def filter_recalls(records, data: dict):
    text = (data.get("q") or "").strip()
    if text:
        records = records.filter(Q(number__icontains=text) | Q(title__icontains=text))
    if data.get("site"):
        records = records.filter(site=data["site"])
    if data.get("status"):
        records = records.filter(status=data["status"])
    if data.get("kind"):
        records = records.filter(drill=data["kind"] == "drill")
    return records


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def recall_list(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=VIEW).order_by("code")
    form = RecallFilterForm(request.GET or None, sites=sites)
    records = selectors.visible_recalls(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    records = selectors.with_notice_counts(
        selectors.with_scope_counts(filter_recalls(records, data))
    )
    page = paginate(request, records)
    for recall in page.object_list:
        recall.next_deadline = selectors.next_deadline(recall)
    template = (
        "recall/_recall_table.html"
        if _fragment(request, "recall-results")
        else "recall/recall_list.html"
    )
    return render(request, template, {"form": form, "page": page, "can_add": user.has_perm(ADD)})


def _initial_from_object(request, sites) -> dict:
    """?object=<id> from a lot's or unit's trace page: its code and its site."""
    object_id = request.GET.get("object", "")
    if not object_id.isdigit():
        return {}
    obj = (
        trace_selectors.visible(TraceObject.objects.all(), request.user)
        .filter(pk=int(object_id), kind__in=ROOT_KINDS)
        .first()
    )
    if obj is None:
        raise Http404
    initial = {"roots": selectors.code_for(request.user, obj)}
    if obj.site_id in {site.pk for site in sites}:
        initial["site"] = obj.site_id
    return initial


@perm_required(ADD)
def recall_create(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    if request.method != "POST":
        initial |= _initial_from_object(request, sites)
        # From an NCR's, complaint's or CAPA's page: the record that raised the recall.
        for name in ("nonconformance", "complaint", "capa"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:20]
    form = RecallForm(request.POST or None, user=user, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recall = recalls.open_recall(by=user, **form.opening())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(number)s opened; its scope is computed. Approve it to place the holds.")
                % {"number": recall.number},
            )
            return redirect("recall:recall-detail", recall.pk)
    return render(request, "recall/recall_form.html", {"form": form})


def _may_rescope(user, recall) -> bool:
    return recall.status in RESCOPING and user.has_perm(CHANGE, recall)


def _scope_context(request, recall) -> dict:
    """The current scope and one page of its entries at the place asked for (?place=)."""
    scope = recall.current_scope()
    place = request.GET.get("place") or selectors.first_place(scope)
    if place not in Place.values:
        raise Http404
    page = None
    if scope is not None:
        page = paginate(request, selectors.entries(scope, place))
        page.object_list = selectors.described(page.object_list)
    places = (scope.summary.get("places") or {}) if scope else {}
    return {
        "scope": scope,
        "place": place,
        "places": [(value, label, places.get(value, 0)) for value, label in Place.choices],
        "entries": page,
    }


def _detail(request, recall, bound=None, *, rescope_form=None):
    """The recall's page; `bound` is the (name, form) of a workflow action that was refused,
    shown open with its errors; `rescope_form` a refused rescoping."""
    user = request.user
    roots = selectors.roots_of(recall)
    if rescope_form is None and _may_rescope(user, recall):
        rescope_form = RescopeForm(user=user, recall=recall, roots=roots)
    context = {
        "recall": recall,
        "roots": roots,
        "clocks": selectors.clocks(recall),
        "history": selectors.snapshots(recall),
        "actions": workflow_views.offered(RECALL, recall, user, ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
        "rescope_form": rescope_form if _may_rescope(user, recall) else None,
        **_scope_context(request, recall),
        **notice_views.section(recall, user),
        **recovery_views.section(recall, user),
        **report_views.section(recall, user),
    }
    return render(request, "recall/recall_detail.html", context)


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def recall_detail(request, pk: int):
    recall = selectors.get_recall_or_404(request.user, pk)
    if _fragment(request, "scope-entries"):
        context = {"recall": recall, **_scope_context(request, recall)}
        return render(request, "recall/_scope_entries.html", context)
    return _detail(request, recall)


@require_POST
@perm_required(VIEW)
def recall_action(request, pk: int, action: str):
    """Take a workflow action: its form is parsed, the service decides; a refusal is shown on
    the form, beside the field it concerns."""
    recall = selectors.get_recall_or_404(request.user, pk)
    return workflow_views.take(
        request,
        recall,
        action,
        workflow=RECALL,
        actions=ACTIONS,
        reload=lambda: selectors.get_recall_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("recall:recall-detail", args=[pk]),
    )


@require_POST
@perm_required(CHANGE)
def recall_rescope(request, pk: int):
    """Widen or narrow the scope with a reason: a new version, its difference kept."""
    user = request.user
    recall = selectors.get_recall_or_404(user, pk)
    if not user.has_perm(CHANGE, recall):
        raise PermissionDenied
    form = RescopeForm(request.POST, user=user, recall=recall, roots=selectors.roots_of(recall))
    if form.is_valid():
        data = form.cleaned_data
        try:
            snapshot = recalls.rescope(
                recall, by=user, reason=data["reason"], add=data["add"], remove=data["remove"]
            )
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED:
                raise PermissionDenied from None
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Scope version %(version)s: %(added)s added, %(removed)s removed.")
                % {
                    "version": snapshot.version,
                    "added": len(snapshot.diff.get("added", [])),
                    "removed": len(snapshot.diff.get("removed", [])),
                },
            )
            return redirect("recall:recall-detail", pk)
    recall = selectors.get_recall_or_404(user, pk)  # as it is now
    if not _may_rescope(user, recall):
        # Closed or cancelled meanwhile: say why on its page, as it is now.
        for error in form.non_field_errors() or [_("This action is no longer possible.")]:
            messages.error(request, error)
        return redirect("recall:recall-detail", pk)
    return _detail(request, recall, rescope_form=form)
