"""UDI database submissions in the browser: where each device stands with each database, the
submissions prepared and their outcome, and the registrant's details."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.udi import selectors, services
from medtrace.udi.choices import Database, RecordState, SubmissionStatus
from medtrace.udi.forms import RegistrantForm, RejectedForm, SubmittedForm


def _database(value: str) -> Database:
    try:
        return Database(value)
    except ValueError:
        raise Http404 from None


@perm_required("udi.view_submission")
def overview(request):
    organization_id = request.user.organization_id
    databases = [
        (database, selectors.summary(selectors.device_statuses(organization_id, database)))
        for database in Database
    ]
    return render(
        request,
        "udi/overview.html",
        {
            "databases": databases,
            "registrant": selectors.registrant_for(organization_id),
            "submissions": selectors.visible_submissions(request.user).select_related(
                "prepared_by"
            )[:20],
            "can_edit_registrant": request.user.has_perm("udi.change_registrant"),
        },
    )


@perm_required("udi.view_submission")
def database_detail(request, database: str):
    database = _database(database)
    organization_id = request.user.organization_id
    can_prepare = request.user.has_perm("udi.add_submission")
    refusal = None
    if request.method == "POST":
        if not can_prepare:
            raise PermissionDenied
        chosen = [int(pk) for pk in request.POST.getlist("device") if pk.isdigit()]
        try:
            submission = services.prepare_submission(
                organization=request.user.organization,
                database=database,
                by=request.user,
                device_identifier_ids=chosen,
            )
        except DomainError as error:
            refusal = error
        else:
            messages.success(
                request,
                _("%(submission)s prepared: download the file and upload it to the database.")
                % {"submission": submission},
            )
            return redirect("udi:submission-detail", submission.pk)
    statuses = selectors.device_statuses(organization_id, database)
    return render(
        request,
        "udi/database.html",
        {
            "database": database,
            "statuses": statuses,
            "summary": selectors.summary(statuses),
            "submissions": selectors.visible_submissions(request.user)
            .filter(database=database)
            .select_related("prepared_by")[:50],
            "refusal": refusal,
            "refused_devices": (refusal.details.get("fields") or {}).get("device_identifiers", [])
            if refusal
            else [],
            "can_prepare": can_prepare,
            "current": RecordState.CURRENT,
        },
    )


@perm_required("udi.view_submission")
def submission_detail(request, pk: int):
    submission = selectors.get_submission_or_404(request.user, pk)
    can_decide = (
        request.user.has_perm("udi.change_submission")
        and submission.status == SubmissionStatus.PREPARED
    )
    return render(
        request,
        "udi/submission_detail.html",
        {
            "submission": submission,
            "records": submission.records.select_related("device_identifier__item").order_by(
                "device_identifier__item__code", "device_identifier__value"
            ),
            "submitted_form": SubmittedForm() if can_decide else None,
            "rejected_form": RejectedForm() if can_decide else None,
        },
    )


@perm_required("udi.view_submission")
def submission_file(request, pk: int):
    submission = selectors.get_submission_or_404(request.user, pk)
    response = HttpResponse(bytes(submission.content), content_type=submission.content_type)
    response["Content-Disposition"] = f'attachment; filename="{submission.file_name}"'
    return response


def _decide(request, pk: int, form_class, decide, done_message):
    submission = selectors.get_submission_or_404(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("udi:submission-detail", submission.pk)
    try:
        decide(submission=submission, by=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done_message)
    return redirect("udi:submission-detail", submission.pk)


@require_POST
@perm_required("udi.change_submission")
def submission_submitted(request, pk: int):
    return _decide(
        request, pk, SubmittedForm, services.record_submitted, _("Recorded as accepted.")
    )


@require_POST
@perm_required("udi.change_submission")
def submission_rejected(request, pk: int):
    return _decide(request, pk, RejectedForm, services.record_rejected, _("Recorded as rejected."))


@perm_required("udi.view_registrant")
def registrant(request):
    current = selectors.registrant_for(request.user.organization_id)
    perm = "udi.change_registrant" if current else "udi.add_registrant"
    can_edit = request.user.has_perm(perm)
    form = RegistrantForm(request.POST or None, registrant=current) if can_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.save_registrant(
                organization=request.user.organization,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
                **form.values(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Registrant details saved."))
            return redirect("udi:overview")
    return render(request, "udi/registrant.html", {"registrant": current, "form": form})
