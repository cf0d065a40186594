"""The pages of calibration, maintenance and impact review: the record-calibration and
record-maintenance forms (htmx fragments on the equipment's page, or pages of their own), a
calibration record with its verification (signed) and its corrections, the certificate file,
and the impact review of a failed calibration with its one action (a deviation or an NCR), the
assessment and the signed conclusion. Every write goes through the equipment services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.equipment import calibration_selectors, selectors
from medtrace.equipment.calibration_forms import (
    AssessmentForm,
    CalibrationForm,
    MaintenanceForm,
    OpenRecordForm,
    PlanForm,
)
from medtrace.equipment.choices import CalibrationStatus, EquipmentStatus, ImpactReviewStatus
from medtrace.equipment.models import CalibrationRecord
from medtrace.equipment.services import calibration, impact, maintenance
from medtrace.equipment.workflows import CALIBRATION, IMPACT_REVIEW
from medtrace.quality import workflow_views

VIEW = "equipment.view_calibrationrecord"
ADD = "equipment.add_calibrationrecord"
CHANGE_REVIEW = "equipment.change_impactreview"
ADD_MAINTENANCE = "equipment.add_maintenancerecord"
ADD_PLAN = "equipment.add_maintenanceplan"

CALIBRATION_ACTIONS = {
    "verify": lambda record, by, data: calibration.verify(
        record, by=by, password=data["password"], reason=data["reason"]
    ),
    "cancel": lambda record, by, data: calibration.cancel(record, by=by, reason=data["reason"]),
}
REVIEW_ACTIONS = {
    "conclude": lambda review, by, data: impact.conclude(
        review, by=by, password=data["password"], reason=data["reason"]
    ),
}


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _done(request, url: str, message: str):
    """After a write: the page of what was written (htmx follows HX-Redirect)."""
    messages.success(request, message)
    if _fragment(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _form_page(request, equipment, form, *, kind: str, title: str, action: str):
    """The form alone (an htmx fragment on the equipment's page) or as a page."""
    context = {"equipment": equipment, "form": form, "kind": kind, "title": title, "action": action}
    if _fragment(request):
        return render(request, "equipment/_record_form.html", context)
    return render(request, "equipment/record_form.html", context)


# ---------------------------------------------------------------- calibration records


@perm_required(ADD)
def calibration_create(request, pk: int):
    user = request.user
    equipment = selectors.get_equipment_or_404(user, pk, perm=ADD)
    wanted = request.POST.get("corrects") or request.GET.get("corrects") or ""
    corrects = None
    if wanted:
        if not wanted.isdigit():
            raise Http404
        corrects = get_object_or_404(equipment.calibrations.all(), pk=int(wanted))
    form = CalibrationForm(
        request.POST or None, request.FILES or None, equipment=equipment, corrects=corrects
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = calibration.record_calibration(
                equipment=equipment, by=user, **form.service_arguments()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return _done(
                request,
                reverse("equipment:calibration-detail", args=[record.pk]),
                _("Calibration %(number)s recorded; it counts once verified.")
                % {"number": record.number},
            )
    title = (
        _("Correct %(number)s") % {"number": corrects.number}
        if corrects
        else _("Record a calibration of %(code)s") % {"code": equipment.code}
    )
    action = reverse("equipment:calibration-create", args=[equipment.pk])
    if corrects:
        action += f"?corrects={corrects.pk}"
    return _form_page(request, equipment, form, kind="calibration", title=title, action=action)


def _calibration_detail(request, record: CalibrationRecord, bound=None):
    user = request.user
    corrections = list(record.corrections.order_by("pk"))
    superseded_by = next((c for c in corrections if c.status == CalibrationStatus.VERIFIED), None)
    context = {
        "record": record,
        "equipment": record.equipment,
        "corrections": corrections,
        "superseded_by": superseded_by,
        "review": getattr(record, "impact_review", None),
        "actions": workflow_views.offered(CALIBRATION, record, user, CALIBRATION_ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
        "may_correct": record.status == CalibrationStatus.VERIFIED
        and superseded_by is None
        and record.equipment.status != EquipmentStatus.RETIRED
        and user.has_perm(ADD, record),
    }
    return render(request, "equipment/calibration_detail.html", context)


@perm_required(VIEW)
def calibration_detail(request, pk: int):
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    return _calibration_detail(request, record)


@require_POST
@perm_required(VIEW)
def calibration_action(request, pk: int, action: str):
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    return workflow_views.take(
        request,
        record,
        action,
        workflow=CALIBRATION,
        actions=CALIBRATION_ACTIONS,
        reload=lambda: calibration_selectors.get_calibration_or_404(request.user, pk),
        detail=lambda current, bound: _calibration_detail(request, current, bound),
        url=reverse("equipment:calibration-detail", args=[pk]),
    )


@perm_required(VIEW)
def calibration_certificate(request, pk: int):
    record = calibration_selectors.get_calibration_or_404(request.user, pk)
    if not record.certificate:
        raise Http404
    return FileResponse(record.certificate.open("rb"), as_attachment=True)


# ---------------------------------------------------------------- impact reviews


def _review_page(request, review, bound=None, *, assessment_form=None, open_form=None):
    user = request.user
    is_open = review.status == ImpactReviewStatus.OPEN
    may_change = is_open and user.has_perm(CHANGE_REVIEW, review)
    may_open = (
        may_change
        and review.deviation_id is None
        and review.nonconformance_id is None
        and (
            user.has_perm("quality.add_deviation", review)
            or user.has_perm("quality.add_nonconformance", review)
        )
    )
    context = {
        "review": review,
        "equipment": review.equipment,
        "impact": calibration_selectors.impact_of_review(review),
        "open_form": (open_form or OpenRecordForm()) if may_open else None,
        "assessment_form": (
            assessment_form or AssessmentForm(initial={"assessment": review.assessment})
        )
        if may_change
        else None,
        "actions": workflow_views.offered(IMPACT_REVIEW, review, user, REVIEW_ACTIONS, bound),
        "refused": bound[0] if bound is not None else None,
    }
    return render(request, "equipment/impact_review.html", context)


@perm_required("equipment.view_impactreview")
def impact_review(request, pk: int):
    return _review_page(request, calibration_selectors.get_review_or_404(request.user, pk))


@require_POST
@perm_required(CHANGE_REVIEW)
def impact_open(request, pk: int):
    """The review's one action: a deviation over the listed lots, or an NCR."""
    review = calibration_selectors.get_review_or_404(request.user, pk)
    if not request.user.has_perm(CHANGE_REVIEW, review):
        raise PermissionDenied
    form = OpenRecordForm(request.POST)
    if not form.is_valid():
        return _review_page(request, review, open_form=form)
    data = form.cleaned_data
    try:
        if data["record"] == "deviation":
            record = impact.open_deviation(review, by=request.user, title=data["title"])
            url = reverse("quality:deviation-detail", args=[record.pk])
        else:
            record = impact.open_nonconformance(
                review, by=request.user, title=data["title"], severity=data["severity"] or "major"
            )
            url = reverse("quality:ncr-detail", args=[record.pk])
    except DomainError as error:
        show_domain_error(form, error)
        return _review_page(request, review, open_form=form)
    messages.success(request, _("%(number)s opened.") % {"number": record.number})
    return redirect(url)


@require_POST
@perm_required(CHANGE_REVIEW)
def impact_assessment(request, pk: int):
    review = calibration_selectors.get_review_or_404(request.user, pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            impact.record_assessment(
                review, assessment=form.cleaned_data["assessment"], by=request.user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("equipment:impact-review", review.pk)
    return _review_page(request, review, assessment_form=form)


@require_POST
@perm_required("equipment.view_impactreview")
def impact_action(request, pk: int, action: str):
    review = calibration_selectors.get_review_or_404(request.user, pk)
    return workflow_views.take(
        request,
        review,
        action,
        workflow=IMPACT_REVIEW,
        actions=REVIEW_ACTIONS,
        reload=lambda: calibration_selectors.get_review_or_404(request.user, pk),
        detail=lambda current, bound: _review_page(request, current, bound),
        url=reverse("equipment:impact-review", args=[pk]),
        done=lambda current: (
            _("The impact review of %(number)s is concluded.")
            % {"number": current.calibration.number}
        ),
    )


# ---------------------------------------------------------------- maintenance


@perm_required(ADD_MAINTENANCE)
def maintenance_create(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk, perm=ADD_MAINTENANCE)
    form = MaintenanceForm(request.POST or None, equipment=equipment)
    if request.method == "POST" and form.is_valid():
        try:
            record = maintenance.record_maintenance(
                equipment=equipment, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return _done(
                request,
                reverse("equipment:equipment-detail", args=[equipment.pk]) + "#maintenance",
                _("Maintenance %(number)s recorded.") % {"number": record.number},
            )
    return _form_page(
        request, equipment, form, kind="maintenance",
        title=_("Record maintenance of %(code)s") % {"code": equipment.code},
        action=reverse("equipment:maintenance-create", args=[equipment.pk]),
    )  # fmt: skip


@perm_required(ADD_PLAN)
def plan_create(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk, perm=ADD_PLAN)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = maintenance.create_plan(
                equipment=equipment, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return _done(
                request,
                reverse("equipment:equipment-detail", args=[equipment.pk]) + "#maintenance",
                _("Maintenance plan “%(task)s” added.") % {"task": plan.task},
            )
    return _form_page(
        request, equipment, form, kind="plan",
        title=_("New maintenance plan for %(code)s") % {"code": equipment.code},
        action=reverse("equipment:plan-create", args=[equipment.pk]),
    )  # fmt: skip
