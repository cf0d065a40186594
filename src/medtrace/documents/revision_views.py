"""A revision's page: its status and what it waits for (the approvals its route still needs),
its content, the draft's form for its author, the workflow actions the reader may take
(submit, approve, return, make effective, withdraw, make obsolete: signed where the workflow
says), printing a recorded, watermarked copy, and its file. Writes go through
documents.services."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.accounts.roles import Role
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.pdf import pdf_response
from medtrace.documents import rendering, selectors
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.forms import DraftForm, PrintForm
from medtrace.documents.services import copies, revisions
from medtrace.documents.workflows import REVISION
from medtrace.quality import workflow_views

VIEW = selectors.VIEW


def _signed(service):
    return lambda revision, by, data: service(
        revision, by=by, password=data["password"], reason=data.get("reason", "")
    )


# The service each workflow action calls, given the revision, the user and the action's form.
ACTIONS = {
    "submit": _signed(revisions.submit),
    "approve": _signed(revisions.approve),
    "return_to_draft": lambda r, by, data: revisions.return_to_draft(
        r, by=by, reason=data["reason"]
    ),
    "make_effective": lambda r, by, data: revisions.make_effective(r, by=by),
    "withdraw": lambda r, by, data: revisions.withdraw(r, by=by, reason=data["reason"]),
    "make_obsolete": _signed(revisions.make_obsolete),
}


def _detail(request, revision, bound=None, *, forms=None):
    user, forms = request.user, forms or {}
    document = revision.document
    state = revisions.approval_state(revision)
    may_edit = revision.status == RevisionStatus.DRAFT and user.has_perm(
        REVISION.transition("submit").permission, revision
    )
    context = {
        "revision": revision,
        "document": document,
        "body": rendering.body_html(revision.body) if not revision.is_file else "",
        "required": [(role, Role(role).label, state.given.get(role)) for role in state.required],
        "show_approvals": revision.status in (RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED),
        "draft_form": (forms.get("draft") or DraftForm(instance=revision)) if may_edit else None,
        "print_form": forms.get("print") or PrintForm(),
        "may_issue_controlled": revision.status == RevisionStatus.EFFECTIVE
        and user.has_perm("documents.approve_document", revision),
        "transitions": workflow_views.offered(REVISION, revision, user, ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
    }
    return render(request, "documents/revision_detail.html", context)


@perm_required(VIEW)
def revision_detail(request, pk: int):
    return _detail(request, selectors.get_revision_or_404(request.user, pk))


@require_POST
@perm_required(VIEW)
def revision_edit(request, pk: int):
    revision = selectors.get_revision_or_404(request.user, pk)
    form = DraftForm(request.POST, request.FILES, instance=revision)
    if form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            revisions.update_draft(revision, by=request.user, file=upload, **data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(revision)s saved.") % {"revision": revision})
            return redirect("documents:revision-detail", revision.pk)
    revision.refresh_from_db()
    return _detail(request, revision, forms={"draft": form})


@require_POST
@perm_required(VIEW)
def revision_action(request, pk: int, name: str):
    revision = selectors.get_revision_or_404(request.user, pk)
    return workflow_views.take(
        request,
        revision,
        name,
        workflow=REVISION,
        actions=ACTIONS,
        reload=lambda: selectors.get_revision_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("documents:revision-detail", args=[pk]),
        done=lambda record: (
            _("%(revision)s is now %(status)s.")
            % {"revision": record, "status": record.get_status_display()}
        ),
    )


@require_POST
@perm_required(VIEW)
def print_copy(request, pk: int):
    """Record a printed copy of the revision and answer its watermarked PDF."""
    revision = selectors.get_revision_or_404(request.user, pk)
    form = PrintForm(request.POST)
    if form.is_valid():
        try:
            copy = copies.issue_copy(
                revision,
                by=request.user,
                controlled=form.cleaned_data["controlled"],
                issued_to=form.cleaned_data["issued_to"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            pdf = rendering.copy_pdf(revision, copy, request=request)
            suffix = f"-copy{copy.copy_number}" if copy.controlled else ""
            name = f"{revision.document.number}-rev{revision.revision}{suffix}.pdf"
            return pdf_response(pdf, name)
    return _detail(request, revision, forms={"print": form})


@perm_required(VIEW)
def revision_file(request, pk: int):
    """The revision's file as uploaded (for editing offline; printing goes through the
    watermarked copy)."""
    revision = selectors.get_revision_or_404(request.user, pk)
    if not revision.is_file:
        raise Http404
    return FileResponse(revision.file.open("rb"), as_attachment=True, filename=revision.file_name)
