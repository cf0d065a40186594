"""The change-control pages: the list with filters; raising a change (its scope prefilled when
raised from a BOM or routing draft or a document revision); the change's page with its
facts, regulatory impact, scope (edited while a draft), computed impact, the approvals its
kind needs, its implementation tasks, the workflow actions the reader may take (submission,
approval, release and closure are signed), its signatures and history. Every write goes through
changes.services; every query through changes.selectors and changes.impact."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.accounts.roles import Role
from medtrace.changes import selectors
from medtrace.changes.choices import OPEN_STATES, ChangeKind, ChangeStatus
from medtrace.changes.forms import ChangeFilterForm, ChangeForm, ScopeForm, TaskDoneForm, TaskForm
from medtrace.changes.impact import impact_of
from medtrace.changes.services import changes
from medtrace.changes.services.opening import open_with_scope
from medtrace.changes.workflows import CHANGE
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.quality import capa_selectors, workflow_views

VIEW, ADD, CHANGE_PERM = selectors.VIEW, selectors.ADD, selectors.CHANGE_PERM


def _signed(service):
    return lambda change, by, data: service(
        change, by=by, password=data["password"], reason=data.get("reason", "")
    )


# The service each workflow action calls, given the change, the user and the action's form.
ACTIONS = {
    "submit": _signed(changes.submit),
    "approve": _signed(changes.approve),
    "return_to_draft": lambda c, by, data: changes.return_to_draft(c, by=by, reason=data["reason"]),
    "reject": lambda c, by, data: changes.reject(
        c, by=by, password=data["password"], reason=data.get("reason", "")
    ),
    "release": _signed(changes.release),
    "close": _signed(changes.close),
    "cancel": lambda c, by, data: changes.cancel(c, by=by, reason=data["reason"]),
}


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _capas(user):
    return capa_selectors.visible_capas(user).order_by("-opened_at")


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def change_list(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=VIEW).order_by("code")
    form = ChangeFilterForm(request.GET or None, sites=sites)
    records = selectors.visible_changes(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.with_counts(selectors.filter_changes(records, data)))
    template = "changes/_change_table.html" if _fragment(request) else "changes/list.html"
    return render(request, template, {"form": form, "page": page, "can_add": user.has_perm(ADD)})


def _scope_form(change, user, data=None, initial=None) -> ScopeForm:
    organization_id = user.organization_id
    return ScopeForm(
        data,
        initial=initial,
        boms=selectors.scope_boms(organization_id, change),
        routings=selectors.scope_routings(organization_id, change),
        revisions=selectors.scope_revisions(user, change),
        items=selectors.scope_items(organization_id),
    )


def _prefill(request) -> dict:
    """?bom=, ?routing=, ?revision= (each may repeat): the drafts the change is raised from."""
    return {
        "boms": request.GET.getlist("bom"),
        "routings": request.GET.getlist("routing"),
        "revisions": request.GET.getlist("revision"),
    }


@perm_required(ADD)
def change_create(request):
    user = request.user
    sites = access.scoped(access.visible_sites(user), user, perm=ADD).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    if not initial and sites.count() == 1:
        initial["site"] = sites.first()
    initial["kind"] = ChangeKind.STANDARD
    form = ChangeForm(request.POST or None, sites=sites, capas=_capas(user), initial=initial)
    scope = _scope_form(
        None,
        user,
        request.POST or None,
        initial={k: [v for v in values if v.isdigit()] for k, values in _prefill(request).items()},
    )
    if request.method == "POST" and form.is_valid() and scope.is_valid():
        try:
            change = open_with_scope(
                site=form.cleaned_data["site"], by=user, **scope.cleaned_data, **form.changes()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("%(number)s opened as a draft.") % {"number": change.number}
            )
            return redirect("changes:change-detail", change.pk)
    return render(request, "changes/form.html", {"form": form, "scope_form": scope})


def _detail(request, change, bound=None, *, forms=None):
    """The change's page. `bound` is the (name, form) of a workflow action that was refused;
    `forms` holds other refused forms by their key ("scope", "task", ("done", task id))."""
    user, forms = request.user, forms or {}
    today = change.site.local_date()
    may_change = user.has_perm(CHANGE_PERM, change)
    draft = change.status == ChangeStatus.DRAFT
    may_approve = user.has_perm(selectors.APPROVE, change)
    tasks = selectors.tasks_of(change, today)
    live = change.status in (*OPEN_STATES, ChangeStatus.IMPLEMENTED)
    for task in tasks:
        if live and task.done_at is None and (user.pk == task.owner_id or may_approve):
            task.done_form = forms.get(("done", task.pk)) or TaskDoneForm(task=task)
    state = changes.approval_state(change)
    owners = selectors.possible_owners([change.site])
    impact = impact_of(change, user=user)
    context = {
        "change": change,
        "boms": change.boms.select_related("item"),
        "routings": change.routings.select_related("item"),
        "revisions": change.revisions.select_related("document"),
        "items": change.items.order_by("code"),
        "impact": impact,
        "required": [(role, Role(role).label, state.given.get(role)) for role in state.required],
        "show_approvals": change.review_round > 0,  # submitted at least once
        "tasks": tasks,
        "may_edit": draft and may_change,
        "scope_form": (
            forms.get("scope")
            or _scope_form(
                change,
                user,
                initial={
                    "boms": list(change.boms.all()),
                    "routings": list(change.routings.all()),
                    "revisions": list(change.revisions.all()),
                    "items": list(change.items.all()),
                },
            )
            if draft and may_change
            else None
        ),
        "task_form": (
            forms.get("task") or TaskForm(owners=owners)
            if change.status in OPEN_STATES and may_change
            else None
        ),
        "transitions": [
            (transition, form)
            for transition, form in workflow_views.offered(CHANGE, change, user, ACTIONS, bound)
            if transition.name != "approve"
            or selectors.may_sign_for(change, user, state)
            or (bound is not None and bound[0] == "approve")
        ],
        "refused": bound[0] if bound is not None else None,
    }
    return render(request, "changes/detail.html", context)


def _done(change) -> str:
    state = changes.approval_state(change)
    if change.status == ChangeStatus.IN_REVIEW and state.given:
        outstanding = state.outstanding
        return _("Approval of %(number)s signed; it still waits for: %(roles)s.") % {
            "number": change.number,
            "roles": ", ".join(str(Role(role).label) for role in outstanding),
        }
    return _("%(number)s is now %(status)s.") % {
        "number": change.number,
        "status": change.get_status_display(),
    }


@perm_required(VIEW)
def change_detail(request, pk: int):
    return _detail(request, selectors.get_change_or_404(request.user, pk))


@perm_required(CHANGE_PERM)
def change_edit(request, pk: int):
    change = selectors.get_change_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE_PERM, change):
        raise PermissionDenied
    if change.status != ChangeStatus.DRAFT:
        messages.error(request, _("Only a draft change request changes."))
        return redirect("changes:change-detail", pk)
    form = ChangeForm(request.POST or None, instance=change, capas=_capas(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            changes.update_change(
                change, by=request.user, edit_reason=form.cleaned_data["reason_for_edit"],
                **form.changes(),
            )  # fmt: skip
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": change.number})
            return redirect("changes:change-detail", pk)
    return render(request, "changes/form.html", {"form": form, "change": change})


def _change(request, pk: int, key, form, write, success: str, *, offered):
    """Parse `form` and call `write(change, cleaned_data)` (workflow_views.submit); a refused
    form is shown on the page under `key`."""
    return workflow_views.submit(
        request,
        form,
        write,
        reload=lambda: selectors.get_change_or_404(request.user, pk),
        url=reverse("changes:change-detail", args=[pk]),
        detail=lambda change, form: _detail(request, change, forms={key: form}),
        success=success,
        offered=offered,
    )


@require_POST
@perm_required(CHANGE_PERM)
def change_scope(request, pk: int):
    change = selectors.get_change_or_404(request.user, pk)
    form = _scope_form(change, request.user, request.POST)
    return _change(
        request, pk, "scope", form,
        lambda change, data: changes.set_scope(change, by=request.user, **data),
        _("Scope saved."),
        offered=lambda change: change.status == ChangeStatus.DRAFT,
    )  # fmt: skip


@require_POST
@perm_required(CHANGE_PERM)
def task_add(request, pk: int):
    change = selectors.get_change_or_404(request.user, pk)
    form = TaskForm(request.POST, owners=selectors.possible_owners([change.site]))
    return _change(
        request, pk, "task", form,
        lambda change, data: changes.add_task(change, by=request.user, **data),
        _("Task added."),
        offered=lambda change: change.status in OPEN_STATES,
    )  # fmt: skip


@require_POST
@perm_required(VIEW)
def task_done(request, pk: int, task_pk: int):
    """A task done, with its evidence: by its owner, or by whoever approves changes."""
    task = selectors.get_task_or_404(request.user, task_pk)
    if task.change_id != pk:
        return redirect("changes:change-detail", pk)
    form = TaskDoneForm(request.POST, task=task)
    return _change(
        request, pk, ("done", task.pk), form,
        lambda change, data: changes.complete_task(
            task, by=request.user, evidence=data["evidence"]
        ),
        _("Task marked done."),
        offered=lambda change: task.done_at is None,
    )  # fmt: skip


@require_POST
@perm_required(VIEW)
def change_transition(request, pk: int, action: str):
    """Take a workflow action: its form is parsed, the service decides; a refusal is shown on
    the form, beside the field it concerns."""
    change = selectors.get_change_or_404(request.user, pk)
    return workflow_views.take(
        request,
        change,
        action,
        workflow=CHANGE,
        actions=ACTIONS,
        reload=lambda: selectors.get_change_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("changes:change-detail", args=[pk]),
        done=_done,
    )
