"""Executing a work order from its page (the office: supervisors, operators at a desk, QA):
start and finish operations, enter readings, print and reconcile labels, complete the order,
and QA's signed release of its lot. Each view parses the form and calls the service; a refusal
shows the order again with the service's message and status 422, having written nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.pdf import pdf_response
from medtrace.org import access
from medtrace.quality import workflow_views

from . import selectors
from .detail import equipment_for, render_detail
from .forms import (
    FinishForm,
    LotReleaseForm,
    PrintLabelsForm,
    ReadingForm,
    ReconcileForm,
    StartForm,
    TakeBackForm,
)
from .models import WorkOrderOperation
from .services import labels, lot_release, operations, readings, rework
from .services.common import EXECUTE

COMPLETE = "production.complete_workorder"
RELEASE_LOT = "production.release_lot"


def order_for(request, pk: int, perm: str):
    """The order if the user sees it (else 404) and holds `perm` at its site (else 403)."""
    order = get_object_or_404(selectors.visible_work_orders(request.user), pk=pk)
    if not access.permits(request.user, perm, order):
        raise PermissionDenied
    return order


def operation_of(order, operation_pk: int) -> WorkOrderOperation:
    operation = get_object_or_404(order.operations, pk=operation_pk)
    operation.work_order = order
    return operation


def _done(request, order, message):
    messages.success(request, message)
    return redirect("production:workorder-detail", order.pk)


def _refused(request, order, form, name, error=None):
    if error is not None:
        show_domain_error(form, error)
    return render_detail(request, order, status=422, **{name: form})


@require_POST
@perm_required(EXECUTE)
def operation_start(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = StartForm(request.POST, equipment=equipment_for(step))
    if not form.is_valid():
        return _refused(request, order, form, "start_form")
    equipment = form.chosen(order.site)
    if form.errors:
        return _refused(request, order, form, "start_form")
    try:
        operations.start(step, by=request.user, equipment=equipment)
    except DomainError as error:
        return _refused(request, order, form, "start_form", error)
    return _done(request, order, _("Operation %(operation)s started.") % {"operation": step.name})


@require_POST
@perm_required(EXECUTE)
def operation_finish(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = FinishForm(request.POST)
    if not form.is_valid():
        return _refused(request, order, form, "finish_form")
    try:
        operations.finish(step, by=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        return _refused(request, order, form, "finish_form", error)
    return _done(request, order, _("Operation %(operation)s finished.") % {"operation": step.name})


@require_POST
@perm_required(EXECUTE)
def operation_reading(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = ReadingForm(request.POST, parameters=step.parameters())
    if not form.is_valid():
        return _refused(request, order, form, "reading_form")
    try:
        reading = readings.record(
            step, parameter=form.cleaned_data["parameter"], value=form.cleaned_data["value"],
            by=request.user,
        )  # fmt: skip
    except DomainError as error:
        return _refused(request, order, form, "reading_form", error)
    return _done(request, order, reading_message(reading))


def reading_message(reading) -> str:
    text = _("%(parameter)s: %(value)s %(unit)s recorded.") % {
        "parameter": reading.parameter,
        "value": format(reading.value.normalize(), "f"),
        "unit": reading.unit,
    }
    if reading.deviation_id:
        text += " " + _(
            "Outside its limits: deviation %(deviation)s was opened and the lot is on hold."
        ) % {"deviation": reading.deviation.number}
    return text


@require_POST
@perm_required(EXECUTE)
def labels_print(request, pk: int):
    order = order_for(request, pk, EXECUTE)
    form = PrintLabelsForm(request.POST, identifiers=lot_release.labelled_identifiers(order))
    if not form.is_valid():
        return _refused(request, order, form, "print_form")
    identifier = form.cleaned_data["identifier"]
    try:
        pdf = labels.print_labels(
            order, identifier=identifier, copies=form.cleaned_data["copies"], by=request.user
        )
    except DomainError as error:
        return _refused(request, order, form, "print_form", error)
    return pdf_response(pdf, f"{order.number}-{identifier.value}.pdf")


@require_POST
@perm_required(EXECUTE)
def labels_reconcile(request, pk: int):
    order = order_for(request, pk, EXECUTE)
    form = ReconcileForm(request.POST, identifiers=lot_release.labelled_identifiers(order))
    if not form.is_valid():
        return _refused(request, order, form, "reconcile_form")
    data = form.cleaned_data
    try:
        row = labels.reconcile(
            order, identifier=data["identifier"], used=data["used"],
            destroyed=data["destroyed"], reason=data["reason"], by=request.user,
        )  # fmt: skip
    except DomainError as error:
        return _refused(request, order, form, "reconcile_form", error)
    return _done(
        request,
        order,
        _("Labels %(di)s: %(printed)s printed, %(used)s used, %(destroyed)s destroyed.")
        % {
            "di": row.identifier.value,
            "printed": row.printed,
            "used": row.used,
            "destroyed": row.destroyed,
        },
    )


@require_POST
@perm_required(COMPLETE)
def workorder_complete(request, pk: int):
    order = order_for(request, pk, COMPLETE)
    try:
        lot_release.complete(order, by=request.user)
    except DomainError as error:
        return render_detail(request, order, action_error=error.message, status=422)
    return _done(request, order, _("Work order %(order)s completed.") % {"order": order.number})


@require_POST
@perm_required(RELEASE_LOT)
def workorder_release_lot(request, pk: int):
    order = order_for(request, pk, RELEASE_LOT)
    form = LotReleaseForm(request.POST, site=order.site)
    if not form.is_valid():
        return _refused(request, order, form, "release_form")
    data = form.cleaned_data
    try:
        lot_release.release_lot(
            order, by=request.user, password=data["password"], reason=data["reason"],
            location=data["location"],
        )  # fmt: skip
    except DomainError as error:
        if error.details.get("cause") in workflow_views.PASSWORD_CAUSES:
            form.add_error("password", str(error.message))
            return _refused(request, order, form, "release_form")
        return _refused(request, order, form, "release_form", error)
    return _done(
        request,
        order,
        _("Lot %(lot)s released; %(order)s is closed.")
        % {"lot": order.lot.lot_number, "order": order.number},
    )


@require_POST
@perm_required(EXECUTE)
def consumption_take_back(request, pk: int, consumption: int):
    order = order_for(request, pk, EXECUTE)
    row = get_object_or_404(order.consumptions.select_related("component"), pk=consumption)
    form = TakeBackForm(request.POST, site=order.site)
    if not form.is_valid():
        return render_detail(request, order, status=422, take_back_forms={row.pk: form})
    try:
        rework.disassemble(
            row, by=request.user, reason=form.cleaned_data["reason"],
            location=form.cleaned_data["location"],
        )  # fmt: skip
    except DomainError as error:
        show_domain_error(form, error)
        return render_detail(request, order, status=422, take_back_forms={row.pk: form})
    return _done(
        request,
        order,
        _("%(component)s taken back out to %(location)s.")
        % {"component": row.component.code, "location": form.cleaned_data["location"].path},
    )
