"""The work-order page: the planned order with its snapshot BOM and routing and kitting list,
and its execution as recorded (operations with operator, equipment and qualifications,
parameter readings against their limits, consumptions, outputs, labels) with the forms of the
actions the viewer may take now. Every page that answers with the order (its own views, the
execution actions, a refusal shown with 422) renders it through `render_detail`."""

from django.db.models import Prefetch
from django.shortcuts import render

from medtrace.equipment.choices import EquipmentStatus, EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.org import access
from medtrace.quality.models import InspectionPlan

from . import selectors
from .choices import OperationStatus
from .forms import (
    CancelForm,
    FinishForm,
    LotReleaseForm,
    PrintLabelsForm,
    ReadingForm,
    ReconcileForm,
    StartForm,
    TakeBackForm,
)
from .models import ParameterReading
from .services import lot_release, outputs
from .services.common import EXECUTE, WORKING
from .services.labels import LABELLED
from .services.operations import inspection_of
from .services.rework import REWORKABLE
from .workflows import WORK_ORDER


def equipment_label(value: str) -> str:
    return EquipmentType(value).label if value in EquipmentType.values else value


def equipment_for(operation):
    """What an operation may be started on: the site's equipment of the type it needs (any
    type when it names none), not retired; the service decides whether it is usable."""
    rows = Equipment.objects.filter(site_id=operation.work_order.site_id).exclude(
        status=EquipmentStatus.RETIRED
    )
    if operation.equipment_type:
        rows = rows.filter(equipment_type=operation.equipment_type)
    return rows.order_by("code")


def operations_of(order) -> list:
    """The order's operations with who did them, on what, and their readings."""
    readings = ParameterReading.objects.select_related("deviation", "recorded_by").order_by(
        "read_at", "pk"
    )
    operations = list(
        order.operations.select_related("started_by", "finished_by", "equipment")
        .prefetch_related(Prefetch("readings", queryset=readings))
        .order_by("position")
    )
    for operation in operations:
        operation.work_order = order
        operation.equipment_label = equipment_label(operation.equipment_type)
    return operations


def current_and_next(operations) -> tuple:
    """The operation in progress, or else the next one to start (operations run in order)."""
    current = next((op for op in operations if op.status == OperationStatus.IN_PROGRESS), None)
    upcoming = None
    if current is None:
        upcoming = next((op for op in operations if op.status == OperationStatus.PENDING), None)
    return current, upcoming


def execution_context(request, order, bound: dict) -> dict:
    """The execution part of the page; `bound` holds a submitted form shown with its errors
    (start_form, finish_form, reading_form, print_form, reconcile_form, release_form)."""
    user = request.user
    if order.lot_id is None:  # planned or cancelled before release: nothing was performed
        return {}
    can_execute = access.permits(user, EXECUTE, order)
    operations = operations_of(order)
    current, upcoming = current_and_next(operations)
    working = can_execute and order.status in WORKING
    context = {
        "execution": True,
        "can_execute": can_execute,
        "can_work": working,
        "work_operations": operations,
        "current": current,
        "upcoming": upcoming,
        "has_readings": any(op.readings.all() for op in operations),
        "consumptions": order.consumptions.select_related(
            "component", "lot", "unit", "into_unit", "consumed_by", "operation"
        ),
        "outputs": order.outputs.select_related("unit", "recorded_by"),
        "made": outputs.made_quantity(order),
    }
    if working and upcoming is not None:
        context["start_form"] = bound.get("start_form") or StartForm(
            equipment=equipment_for(upcoming)
        )
    if can_execute and order.status in REWORKABLE:
        chosen = bound.get("take_back_forms") or {}
        context["take_back_forms"] = {
            row.pk: chosen.get(row.pk) or TakeBackForm(site=order.site)
            for row in context["consumptions"]
            if row.returned_event_id is None
        }
    if current is not None and current.inspection_plan:
        context["current_inspection"] = inspection_of(current)
        context["current_plan"] = InspectionPlan.objects.filter(
            organization_id=order.organization_id, code=current.inspection_plan, active=True
        ).first()
    if working and current is not None:
        context["finish_form"] = bound.get("finish_form") or FinishForm()
        if current.parameters():
            context["reading_form"] = bound.get("reading_form") or ReadingForm(
                parameters=current.parameters()
            )
    identifiers = lot_release.labelled_identifiers(order)
    printed = {row.identifier_id: row for row in order.labels.select_related("identifier")}
    context["labels"] = [
        {"identifier": identifier, "row": printed.get(identifier.pk)} for identifier in identifiers
    ] + [
        {"identifier": row.identifier, "row": row}
        for row in printed.values()
        if row.identifier_id not in {identifier.pk for identifier in identifiers}
    ]
    if can_execute and order.status in LABELLED and identifiers:
        context["print_form"] = bound.get("print_form") or PrintLabelsForm(identifiers=identifiers)
        if printed:
            context["reconcile_form"] = bound.get("reconcile_form") or ReconcileForm(
                identifiers=identifiers.filter(pk__in=printed)
            )
    return context


def render_detail(request, order, *, status: int = 200, **bound):
    """The page; `bound` are the forms (or error texts) of a refused action, shown in place."""
    user = request.user
    actions = {t.name for t in WORK_ORDER.allowed(order, user)}
    context = {
        "order": order,
        "required": order.required(),
        "operations": [
            {**operation, "equipment_label": equipment_label(operation["equipment_type"])}
            for operation in order.snapshot.get("routing", {}).get("operations", [])
        ],
        "kitting": selectors.kitting_list(order),
        "can_release": "release" in actions,
        "can_cancel": "cancel" in actions,
        "can_complete": "complete" in actions,
        "release_error": bound.get("release_error"),
        "action_error": bound.get("action_error"),
        "cancel_form": bound.get("cancel_form") or CancelForm(),
        **execution_context(request, order, bound),
    }
    if context["can_complete"]:
        context["missing_to_complete"] = lot_release.missing_to_complete(order)
    if "release_lot" in actions:
        context["blockers"] = lot_release.blockers(order)
        context["release_form"] = bound.get("release_form") or LotReleaseForm(site=order.site)
    return render(request, "production/workorder_detail.html", context, status=status)
