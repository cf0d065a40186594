"""The production floor (phone or tablet): the orders being worked on at the operator's site,
and a station per order. The station scans components into the order (the lot or unit label,
with the quantity, a reason beyond the BOM's tolerance, and the unit being built when the
operation records components per serial), starts the next operation on equipment scanned or
chosen, records the current operation's parameters, finishes it, and records output.

Component scans go through the scan station (core/_scan_station.html): each carries the key the
browser gave it, so a scan queued offline and sent again is recorded once
(production.services.consumption). The other actions are plain forms: the answer of the last
one is shown big, green or red, on the station; a refused one answers 422 with the page."""

import uuid

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.catalog.choices import Tracking
from medtrace.core import scanning
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Unit
from medtrace.trace.selectors import find_one

from . import selectors
from .choices import OperationStatus
from .detail import current_and_next, equipment_for, operations_of
from .execution_views import operation_of, order_for, reading_message
from .forms import FinishForm, OutputForm, ReadingForm, StartForm
from .models import WorkOrderOperation
from .services import consumption, operations, outputs, readings
from .services.common import EXECUTE, WORKING

CONSUMED = "production-consumed"  # the htmx event that refreshes the panel after a scan
RECENT = 8


def _answer_key(order) -> str:
    return f"medtrace.production.floor.{order.pk}"


def _fields_detail(error: DomainError) -> str:
    """The field messages that say more than the refusal's own."""
    fields = error.details.get("fields") or {}
    said = str(error.message)
    return " ".join(
        str(message) for messages in fields.values() for message in messages if message != said
    )


@perm_required(EXECUTE)
def floor_orders(request):
    """The orders released to the floor or in progress at the operator's site (the header's
    site, else every site where they may work)."""
    site_ids = access.site_ids_with_perm(request.user, EXECUTE)
    if request.site is not None:
        site_ids = site_ids & {request.site.pk}
    running = WorkOrderOperation.objects.filter(status=OperationStatus.IN_PROGRESS)
    orders = (
        selectors.visible_work_orders(request.user)
        .filter(site_id__in=site_ids, status__in=WORKING)
        .select_related("line", "lot")
        .prefetch_related(Prefetch("operations", queryset=running, to_attr="running"))
        .order_by("planned_start", "number")
    )
    return render(request, "production/floor/orders.html", {"orders": orders})


def _panel_context(order) -> dict:
    return {
        "order": order,
        "progress": [consumption.allowance(order, line["component"]) for line in order.required()],
        "recent": order.consumptions.select_related(
            "component", "lot", "unit", "into_unit"
        ).order_by("-consumed_at", "-pk")[:RECENT],
    }


def _station(request, order, *, status=200, answer=None, feedback="", **bound):
    operation_rows = operations_of(order)
    current, upcoming = current_and_next(operation_rows)
    working = order.status in WORKING
    context = {
        **_panel_context(order),
        "operations": operation_rows,
        "current": current,
        "upcoming": upcoming,
        "working": working,
        "serialized": order.item.tracking == Tracking.SERIAL,
        "per_unit": any(operation.per_unit for operation in operation_rows),
        "made": outputs.made_quantity(order),
        "answer": answer or request.session.pop(_answer_key(order), None),
        "feedback": mark_safe(feedback),  # nosec B308 B703 # our own autoescaped fragment
        "consumed_event": CONSUMED,
    }
    if working and upcoming is not None:
        context["start_form"] = bound.get("start_form") or StartForm(
            equipment=equipment_for(upcoming)
        )
    if working and current is not None:
        context["finish_form"] = bound.get("finish_form") or FinishForm()
        if current.parameters():
            context["reading_form"] = bound.get("reading_form") or ReadingForm(
                parameters=current.parameters()
            )
    if working:
        context["output_form"] = bound.get("output_form") or OutputForm(
            initial={"key": str(uuid.uuid4())}
        )
    return render(request, "production/floor/station.html", context, status=status)


@perm_required(EXECUTE)
def floor_station(request, pk: int):
    return _station(request, order_for(request, pk, EXECUTE))


@perm_required(EXECUTE)
def floor_panel(request, pk: int):
    """The BOM progress and the last consumptions (refreshed after each scan)."""
    order = order_for(request, pk, EXECUTE)
    return render(request, "production/floor/_panel.html", _panel_context(order))


# --- component scans --------------------------------------------------------------------------


@require_POST
@perm_required(EXECUTE)
def floor_scan(request, pk: int):
    """One component scan: the feedback fragment for the station's script; a plain form post
    (no script on the device) gets the whole page, with 422 when refused."""
    order = order_for(request, pk, EXECUTE)
    try:
        answer = _consume(request, order)
        ok = True
    except DomainError as error:
        ok = False
        answer = scanning.feedback(
            request, ok=False, message=error.message, detail=_fields_detail(error),
            trigger=CONSUMED,
        )  # fmt: skip
    if request.headers.get("X-Scan-Station"):
        return answer
    return _station(request, order, feedback=answer.content.decode(), status=200 if ok else 422)


def _unit_being_built(request, order) -> Unit | None:
    text = request.POST.get("into_unit", "").strip()
    if not text:
        return None
    found = find_one(request.user, text)
    if found.kind != ObjectKind.UNIT:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(code)s is not a unit: scan the serial label of the unit being built.")
            % {"code": text},
        )
    return Unit.objects.get(pk=found.pk)


def _consume(request, order):
    code, key, at = scanning.scan_fields(request)
    if not code:
        raise DomainError(ErrorCode.VALIDATION, _("Nothing was scanned."))
    scanned = find_one(request.user, code)
    done = consumption.consume(
        order,
        scanned=scanned,
        quantity=request.POST.get("quantity", "").strip() or None,
        reason=request.POST.get("reason", ""),
        into_unit=_unit_being_built(request, order),
        at=at,
        key=key,
        by=request.user,
    )
    what = (
        _("unit %(serial)s") % {"serial": done.unit.serial}
        if done.unit_id
        else _("lot %(lot)s") % {"lot": done.lot.lot_number}
    )
    message = _("Consumed %(quantity)s %(uom)s of %(item)s, %(what)s.") % {
        "quantity": plain(done.quantity),
        "uom": done.uom,
        "item": done.component.code,
        "what": what,
    }
    if done.into_unit_id:
        message += " " + _("Into unit %(serial)s.") % {"serial": done.into_unit.serial}
    limits = consumption.allowance(order, done.component.code)
    detail = _("%(item)s: %(consumed)s of %(required)s %(uom)s consumed for %(order)s.") % {
        "item": done.component.code,
        "consumed": plain(limits.consumed),
        "required": plain(limits.required),
        "uom": limits.line["unit"] or done.uom,
        "order": order.number,
    }
    return scanning.feedback(
        request,
        ok=True,
        message=message,
        detail=detail,
        next_prompt=_("Scan the next component."),
        trigger=CONSUMED,
        complete=True,
    )


# --- operations, readings, output -------------------------------------------------------------


def _done(request, order, message: str, detail: str = ""):
    request.session[_answer_key(order)] = {"ok": True, "message": message, "detail": detail}
    return redirect("production:floor-station", order.pk)


def _refused(request, order, error: DomainError, **bound):
    answer = {"ok": False, "message": str(error.message), "detail": _fields_detail(error)}
    return _station(request, order, status=422, answer=answer, **bound)


def _form_error(form) -> DomainError:
    message = " ".join(str(text) for messages in form.errors.values() for text in messages)
    return DomainError(ErrorCode.VALIDATION, message)


@require_POST
@perm_required(EXECUTE)
def floor_start(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = StartForm(request.POST, equipment=equipment_for(step))
    equipment = form.chosen(order.site) if form.is_valid() else None
    if form.errors:
        return _refused(request, order, _form_error(form), start_form=form)
    try:
        operations.start(step, by=request.user, equipment=equipment)
    except DomainError as error:
        return _refused(request, order, error, start_form=form)
    detail = _("On %(equipment)s.") % {"equipment": equipment.code} if equipment else ""
    return _done(
        request, order, _("Operation %(operation)s started.") % {"operation": step.name}, detail
    )


@require_POST
@perm_required(EXECUTE)
def floor_finish(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = FinishForm(request.POST)
    if not form.is_valid():
        return _refused(request, order, _form_error(form), finish_form=form)
    try:
        operations.finish(step, by=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        return _refused(request, order, error, finish_form=form)
    return _done(request, order, _("Operation %(operation)s finished.") % {"operation": step.name})


@require_POST
@perm_required(EXECUTE)
def floor_reading(request, pk: int, operation: int):
    order = order_for(request, pk, EXECUTE)
    step = operation_of(order, operation)
    form = ReadingForm(request.POST, parameters=step.parameters())
    if not form.is_valid():
        return _refused(request, order, _form_error(form), reading_form=form)
    try:
        reading = readings.record(
            step, parameter=form.cleaned_data["parameter"], value=form.cleaned_data["value"],
            by=request.user,
        )  # fmt: skip
    except DomainError as error:
        return _refused(request, order, error, reading_form=form)
    if reading.deviation_id:
        request.session[_answer_key(order)] = {
            "ok": False,
            "message": reading_message(reading),
            "detail": "",
        }
        return redirect("production:floor-station", order.pk)
    return _done(request, order, reading_message(reading))


@require_POST
@perm_required(EXECUTE)
def floor_output(request, pk: int):
    order = order_for(request, pk, EXECUTE)
    form = OutputForm(request.POST)
    if not form.is_valid():
        return _refused(request, order, _form_error(form), output_form=form)
    data = form.cleaned_data
    try:
        made = outputs.record(
            order, quantity=data["quantity"].strip() or None, serials=form.serial_list(),
            generate=data["generate"], key=data["key"].strip() or None, by=request.user,
        )  # fmt: skip
    except DomainError as error:
        return _refused(request, order, error, output_form=form)
    total = outputs.made_quantity(order)
    units = [output.unit.serial for output in made.outputs if output.unit_id]
    if units:
        message = _("Recorded %(count)s units: %(serials)s.") % {
            "count": len(units),
            "serials": ", ".join(units),
        }
    else:
        message = _("Recorded %(quantity)s %(uom)s of lot %(lot)s.") % {
            "quantity": plain(sum(output.quantity for output in made.outputs)),
            "uom": order.unit,
            "lot": order.lot.lot_number,
        }
    detail = _("%(made)s of %(planned)s %(uom)s made.") % {
        "made": plain(total),
        "planned": plain(order.quantity),
        "uom": order.unit,
    }
    return _done(request, order, message, detail)
