"""What the pages of every quality record share: the workflow actions offered on a record (each with
its form: a signature, a reason, or just the button) and taking one from a POST, the refusal
shown on the action's form beside the field it concerns."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.workflow import Workflow
from medtrace.quality.forms import action_form

# Signature refusals that are about the typed password: shown beside it.
PASSWORD_CAUSES = {"wrong_password", "password_expired"}


def offered(workflow: Workflow, record, user, names, bound=None) -> list[tuple]:
    """[(transition, form)] of the actions `user` may take on the record now; `bound` is the
    (name, form) of one that was refused, shown with its errors."""
    actions = []
    for transition in workflow.allowed(record, user):
        if transition.name not in names:
            continue
        if bound is not None and bound[0] == transition.name:
            actions.append((transition, bound[1]))
        else:
            actions.append((transition, action_form(transition)))
    return actions


def take(
    request,
    record,
    name: str,
    *,
    workflow: Workflow,
    actions: dict[str, Callable],
    reload: Callable[[], object],
    detail: Callable,
    url: str,
    done: Callable[[object], str] | None = None,
):
    """Take workflow action `name` on the record from the POSTed form: `actions[name]` calls
    the service; `reload()` reads the record again after a refusal; `detail(record, bound)`
    renders the page with the refused form open; `url` is the record's page; `done(record)`
    words the success (by default: its new status)."""
    if name not in actions:
        raise Http404
    transition = workflow.transition(name)
    if not request.user.has_perm(transition.permission, record):
        raise PermissionDenied
    form = action_form(transition, request.POST)
    if form.is_valid():
        try:
            record = actions[name](record, request.user, form.cleaned_data)
        except DomainError as error:
            record = reload()  # as it is now
            if error.details.get("cause") in PASSWORD_CAUSES and "password" in form.fields:
                form.add_error("password", str(error.message))
            else:
                show_domain_error(form, error)
        else:
            messages.success(request, done(record) if done else _now(record))
            return redirect(url)
    if name not in {allowed.name for allowed in workflow.allowed(record, request.user)}:
        # The record moved on meanwhile (another tab, another user): say why, show it as it is.
        for error in form.non_field_errors() or [_("This action is no longer possible.")]:
            messages.error(request, error)
        return redirect(url)
    return detail(record, (name, form))


def submit(
    request,
    form,
    write: Callable,
    *,
    reload: Callable[[], object],
    url: str,
    detail: Callable,
    success: str,
    offered: Callable[[object], bool],
):
    """A form on a record's page that is not a workflow action (an investigation, a task):
    parse it and call `write(record, cleaned_data)` on the record `reload()` reads; on a refusal
    show the page again with `detail(record, form)`, or, when `offered(record)` says the record
    moved on and the form is gone, say why on the record's page (`url`) as it is now."""
    if form.is_valid():
        try:
            write(reload(), form.cleaned_data)
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED:
                raise PermissionDenied from None
            show_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect(url)
    record = reload()  # as it is now
    if not offered(record):
        for error in form.non_field_errors() or [_("This action is no longer possible.")]:
            messages.error(request, error)
        return redirect(url)
    return detail(record, form)


def _now(record) -> str:
    return _("%(number)s is now %(status)s.") % {
        "number": record.number,
        "status": record.get_status_display(),
    }
