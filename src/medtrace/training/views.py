"""The training matrix of a site (its people by the documents of its curricula, each cell how
the person stands) and the reader's own training: their open assignments, each with the
revision to read and the "read and understood" signature, and the history of their records.
Writes go through training.services; reads through training.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.quality.workflow_views import PASSWORD_CAUSES
from medtrace.training import selectors
from medtrace.training.choices import MatrixCell
from medtrace.training.forms import MatrixFilterForm, ReadAndUnderstoodForm
from medtrace.training.services import records

VIEW = selectors.VIEW_ASSIGNMENTS


def fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def legend() -> list[tuple[str, str, str]]:
    return [(value, selectors.SYMBOLS[value], label) for value, label in MatrixCell.choices]


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def matrix(request):
    """The matrix of the site asked for (or the header's, or the reader's first), narrowed to a
    curriculum or a role."""
    user = request.user
    sites = selectors.sites_with(user, VIEW)
    site = selectors.matrix_site(user, request.GET.get("site") or request.site)
    if site is None:
        raise PermissionDenied
    curricula = selectors.curricula_of(site)
    data = request.GET.copy()
    data["site"] = site.pk
    form = MatrixFilterForm(data, sites=sites, curricula=curricula)
    cleaned = form.cleaned_data if form.is_valid() else {}
    result = selectors.training_matrix(
        site, curriculum=cleaned.get("curriculum"), role=cleaned.get("role") or None
    )
    context = {
        "form": form,
        "matrix": result,
        "counts": result.counts(),
        "legend": legend(),
        "can_assign": user.has_perm(selectors.ADD_ASSIGNMENT, site),
    }
    template = "training/_matrix.html" if fragment(request) else "training/matrix.html"
    return render(request, template, context)


def my_training_page(request, bound=None):
    """The reader's page; `bound` is the (assignment id, form) of a refused signature."""
    user = request.user
    assignments = list(selectors.open_assignments_of(user))
    for assignment in assignments:
        if bound is not None and bound[0] == assignment.pk:
            assignment.sign_form = bound[1]
        else:
            assignment.sign_form = ReadAndUnderstoodForm(assignment=assignment)
        assignment.overdue = selectors.is_overdue(assignment, assignment.site.local_date())
    context = {
        "assignments": assignments,
        "records": selectors.records_of(user)[:200],
        "refused": bound[0] if bound is not None else None,
    }
    return render(request, "training/my_training.html", context)


@login_required
def my_training(request):
    return my_training_page(request)


def sign_refused(form, error: DomainError) -> None:
    """A refused signature on its form: a wrong or expired password beside the field."""
    if error.details.get("cause") in PASSWORD_CAUSES:
        form.add_error("password", str(error.message))
    else:
        show_domain_error(form, error)


@require_POST
@login_required
def read_and_understood(request, pk: int):
    """The trainee signs that they read and understood the revision; a refusal is shown on
    the form it came from (My training, or the assignment's page)."""
    from medtrace.training import assignment_views

    assignment = selectors.get_assignment_or_404(request.user, pk)
    back_to_detail = request.POST.get("from") == "detail"
    form = ReadAndUnderstoodForm(request.POST, assignment=assignment)
    if form.is_valid():
        try:
            records.read_and_understood(
                assignment,
                by=request.user,
                password=form.cleaned_data["password"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED and "cause" not in error.details:
                raise PermissionDenied from None
            if error.code == ErrorCode.INVALID_STATE:
                messages.error(request, str(error.message))
                return redirect(_back(back_to_detail, pk))
            sign_refused(form, error)
        else:
            messages.success(
                request,
                _("Signed: you read and understood %(revision)s.")
                % {"revision": assignment.revision},
            )
            return redirect(_back(back_to_detail, pk))
    if back_to_detail:
        return assignment_views.detail_page(request, assignment, forms={"read": form})
    return my_training_page(request, (assignment.pk, form))


def _back(to_detail: bool, pk: int) -> str:
    from django.urls import reverse

    if to_detail:
        return reverse("training:assignment-detail", args=[pk])
    return reverse("training:my-training")
