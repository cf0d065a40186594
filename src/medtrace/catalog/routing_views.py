"""The routing pages: a version with its operations, parameters and signatures, and adding,
editing and removing a draft's operations. Drafting, approving, making obsolete and
comparing are version_views'."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.catalog import services
from medtrace.catalog.forms import ObsoleteForm
from medtrace.catalog.models import Routing
from medtrace.catalog.routing_forms import OperationForm, parameters_as_text
from medtrace.catalog.services import OperationIn, ParameterIn
from medtrace.catalog.version_views import ROUTINGS, get_version, page_context
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error


def _operations(routing: Routing):
    return routing.operations.prefetch_related("parameters").order_by("position")


def _as_given(routing: Routing) -> list[OperationIn]:
    return [
        OperationIn(
            name=operation.name,
            work_center=operation.work_center,
            equipment_type=operation.equipment_type,
            inspection_plan=operation.inspection_plan,
            instructions=operation.instructions,
            documents=tuple(operation.documents),
            per_unit=operation.per_unit,
            parameters=tuple(
                ParameterIn(p.name, p.unit, p.lower_limit, p.target, p.upper_limit)
                for p in operation.parameters.all()
            ),
        )
        for operation in _operations(routing)
    ]


@perm_required("catalog.view_routing")
def routing_detail(request, pk: int):
    routing = get_version(request, ROUTINGS, pk)
    context = page_context(request, ROUTINGS, routing)
    return render(
        request,
        "catalog/routing_detail.html",
        {
            **context,
            "routing": routing,
            "operations": _operations(routing),
            "obsolete_form": ObsoleteForm() if context["can_obsolete"] else None,
        },
    )


def _save(request, routing: Routing, operations: list[OperationIn], form, message: str):
    """Set the operations; on refusal put the reason on `form` and return None."""
    try:
        services.set_routing_operations(
            routing=routing,
            operations=operations,
            by=request.user,
            reason=form.cleaned_data.get("reason", "") if form else "",
        )
    except DomainError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("catalog:routing-detail", routing.pk)
        show_domain_error(form, error)
        return None
    messages.success(request, message)
    return redirect("catalog:routing-detail", routing.pk)


def _operation_from(form) -> OperationIn:
    data = form.cleaned_data
    return OperationIn(
        name=data["name"],
        work_center=data["work_center"],
        equipment_type=data["equipment_type"],
        inspection_plan=data["inspection_plan"],
        instructions=data["instructions"],
        parameters=data["parameters"],
        documents=data["documents"],
        per_unit=data["per_unit"],
    )


def _form_page(request, routing: Routing, form, operation=None):
    return render(
        request,
        "catalog/routing_operation_form.html",
        {"routing": routing, "item": routing.item, "form": form, "operation": operation},
    )


def _not_a_draft(request, routing: Routing):
    messages.error(request, _("Only a draft's operations can be changed."))
    return redirect("catalog:routing-detail", routing.pk)


@perm_required("catalog.change_routing")
def operation_add(request, pk: int):
    routing = get_version(request, ROUTINGS, pk)
    if not routing.is_draft:
        return _not_a_draft(request, routing)
    form = OperationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operations = [*_as_given(routing), _operation_from(form)]
        done = _save(request, routing, operations, form, _("Operation added."))
        if done:
            return done
    return _form_page(request, routing, form)


@perm_required("catalog.change_routing")
def operation_edit(request, pk: int, position: int):
    routing = get_version(request, ROUTINGS, pk)
    if not routing.is_draft:
        return _not_a_draft(request, routing)
    operation = routing.operations.prefetch_related("parameters").filter(position=position).first()
    if operation is None:
        raise Http404
    initial = {
        "name": operation.name,
        "work_center": operation.work_center,
        "equipment_type": operation.equipment_type,
        "inspection_plan": operation.inspection_plan,
        "instructions": operation.instructions,
        "documents": ", ".join(operation.documents),
        "per_unit": operation.per_unit,
        "parameters": parameters_as_text(operation.parameters.all()),
    }
    form = OperationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        operations = _as_given(routing)
        index = [o.position for o in _operations(routing)].index(position)
        operations[index] = _operation_from(form)
        done = _save(request, routing, operations, form, _("Operation saved."))
        if done:
            return done
    return _form_page(request, routing, form, operation)


@require_POST
@perm_required("catalog.change_routing")
def operation_remove(request, pk: int, position: int):
    routing = get_version(request, ROUTINGS, pk)
    if not routing.is_draft:
        return _not_a_draft(request, routing)
    positions = [o.position for o in _operations(routing)]
    if position not in positions:
        raise Http404
    operations = _as_given(routing)
    del operations[positions.index(position)]
    return _save(request, routing, operations, None, _("Operation removed."))
