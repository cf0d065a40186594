"""Training assignments: the list with filters (site, document, status, overdue), the overdue
list, an assignment's page (its revision, its records and signatures, the trainee's
"read and understood" signature and the trainer's instructor-led record with the assessment),
and assigning training by hand. Writes go through training.services; reads through
training.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.documents.models import ControlledDocument
from medtrace.training import selectors
from medtrace.training.choices import AssignmentStatus
from medtrace.training.forms import (
    AssignForm,
    AssignmentFilterForm,
    InstructorLedForm,
    ReadAndUnderstoodForm,
)
from medtrace.training.services import assignments as assigning
from medtrace.training.services import records
from medtrace.training.views import fragment, sign_refused

VIEW = selectors.VIEW_ASSIGNMENTS


def filter_assignments(assignments, data: dict, today):
    text = (data.get("q") or "").strip()
    if text:
        assignments = assignments.filter(
            Q(trainee__username__icontains=text) | Q(trainee__full_name__icontains=text)
        )
    if data.get("site"):
        assignments = assignments.filter(site=data["site"])
    if data.get("document"):
        assignments = assignments.filter(revision__document=data["document"])
    if data.get("status"):
        assignments = assignments.filter(status=data["status"])
    if data.get("overdue"):
        assignments = selectors.overdue(assignments, today)
    return assignments


def _list(request, *, overdue_only: bool):
    user = request.user
    sites = selectors.sites_with(user, VIEW)
    documents = ControlledDocument.objects.filter(
        pk__in=selectors.visible_assignments(user).values("revision__document")
    )
    form = AssignmentFilterForm(request.GET or None, sites=sites, documents=documents)
    found = selectors.visible_assignments(user)
    if request.site is not None:
        found = found.filter(site=request.site)
    data = dict(form.cleaned_data) if form.is_valid() else {}
    if overdue_only:
        data["overdue"] = True
    today = timezone.localdate()
    found = filter_assignments(found, data, today).order_by("due_on", "pk")
    page = paginate(request, found)
    for assignment in page.object_list:
        assignment.overdue = selectors.is_overdue(assignment, today)
    context = {
        "form": form,
        "page": page,
        "overdue_only": overdue_only,
        "can_assign": user.has_perm(selectors.ADD_ASSIGNMENT),
    }
    if fragment(request):
        return render(request, "training/_assignment_table.html", context)
    return render(request, "training/assignment_list.html", context)


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def assignment_list(request):
    return _list(request, overdue_only=False)


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def overdue_list(request):
    return _list(request, overdue_only=True)


def detail_page(request, assignment, *, forms=None):
    """The assignment's page; `forms` holds a refused form by its key ("read", "instructor")."""
    user, forms = request.user, forms or {}
    is_open = assignment.status == AssignmentStatus.OPEN
    context = {
        "assignment": assignment,
        "overdue": selectors.is_overdue(assignment, assignment.site.local_date()),
        "records": selectors.records_for_assignment(user, assignment),
        "read_form": (
            forms.get("read") or ReadAndUnderstoodForm(assignment=assignment)
            if is_open and assignment.trainee_id == user.pk
            else None
        ),
        "instructor_form": (
            forms.get("instructor") or InstructorLedForm()
            if selectors.may_record(user, assignment)
            else None
        ),
    }
    return render(request, "training/assignment_detail.html", context)


@perm_required(VIEW)
def assignment_detail(request, pk: int):
    return detail_page(request, selectors.get_assignment_or_404(request.user, pk))


@require_POST
@perm_required(selectors.ADD_RECORD)
def instructor_led(request, pk: int):
    """The trainer records the session and its assessment by their signature."""
    assignment = selectors.get_assignment_or_404(request.user, pk)
    if not request.user.has_perm(selectors.ADD_RECORD, assignment):
        raise PermissionDenied
    form = InstructorLedForm(request.POST)
    if form.is_valid():
        try:
            record = records.instructor_led(
                assignment,
                by=request.user,
                password=form.cleaned_data["password"],
                assessment=form.cleaned_data["assessment"],
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED and "cause" not in error.details:
                raise PermissionDenied from None
            if error.code == ErrorCode.INVALID_STATE:
                messages.error(request, str(error.message))
                return redirect("training:assignment-detail", pk)
            sign_refused(form, error)
        else:
            if record.qualifies:
                messages.success(
                    request,
                    _("%(trainee)s is trained on %(revision)s.")
                    % {"trainee": assignment.trainee.printed_name, "revision": assignment.revision},
                )
            else:
                messages.warning(
                    request,
                    _("Assessment failed: a retake of %(revision)s is assigned to %(trainee)s.")
                    % {"trainee": assignment.trainee.printed_name, "revision": assignment.revision},
                )
            return redirect("training:assignment-detail", pk)
    return detail_page(request, assignment, forms={"instructor": form})


@perm_required(selectors.ADD_ASSIGNMENT)
def assignment_create(request):
    """Assign training on an effective revision to someone working at one of the trainer's
    sites (a new hire, a new role, retraining after a deviation)."""
    user = request.user
    sites = selectors.sites_with(user, selectors.ADD_ASSIGNMENT)
    initial = {
        key: request.GET[key] for key in ("trainee", "revision", "site") if request.GET.get(key)
    }
    if "site" not in initial and request.site in sites:
        initial["site"] = request.site.pk
    form = AssignForm(
        request.POST or None,
        sites=sites,
        people=selectors.people_at(sites),
        revisions=selectors.effective_revisions(user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not selectors.works_at(data["trainee"], data["site"]):
            form.add_error(
                "trainee",
                _("%(person)s holds no role at %(site)s.")
                % {"person": data["trainee"].printed_name, "site": data["site"].code},
            )
        else:
            try:
                assignment = assigning.assign(by=user, **data)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(trainee)s is to train on %(revision)s by %(due)s.")
                    % {
                        "trainee": assignment.trainee.printed_name,
                        "revision": assignment.revision,
                        "due": assignment.due_on.isoformat(),
                    },
                )
                return redirect("training:assignment-detail", assignment.pk)
    return render(request, "training/assignment_form.html", {"form": form})
