"""Shipment order pages: list, create, detail with its actions and documents, the phone-sized
picking screen (a scan station: each scan is one pick), the packing screen and case labels.
Every query is scoped to the user's sites (org.access); every rule is the services'."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core import scanning as station
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.numbers import plain
from medtrace.core.paging import paginate
from medtrace.core.pdf import pdf_response
from medtrace.org import access
from medtrace.trace.models import TraceObject

from . import documents, scanning, selectors
from .choices import DeliveryChannel, OrderStatus
from .forms import LineFormSet, OrderFilterForm, OrderForm, ReasonForm
from .models import Package
from .services import orders, packing, picking, shipment
from .workflows import ORDER

VIEW = "shipping.view_shipmentorder"
ACTIONS = {
    "release": lambda order, user, reason: orders.release_order(order, by=user),
    "cancel": lambda order, user, reason: orders.cancel_order(order, by=user, reason=reason),
    "finish_packing": lambda order, user, reason: packing.finish_packing(order, by=user),
    "ship": lambda order, user, reason: shipment.ship(order, by=user),
}


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    found = selectors.visible_orders(request.user)
    if request.site is not None:
        found = found.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        text = data["q"].strip()
        found = found.filter(
            Q(number__icontains=text)
            | Q(customer__code__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer_reference__icontains=text)
        )
    if data.get("status"):
        found = found.filter(status=data["status"])
    page = paginate(request, found)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "shipping/_order_table.html" if fragment else "shipping/order_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_add": request.user.has_perm("shipping.add_shipmentorder"),
        },
    )


@perm_required("shipping.add_shipmentorder")
def order_create(request):
    user = request.user
    sites = access.scoped(
        access.visible_sites(user), user, perm="shipping.add_shipmentorder"
    ).order_by("code")
    initial = {"site": request.site} if request.site in sites else {}
    form = OrderForm(
        request.POST or None, sites=sites, organization=user.organization, initial=initial
    )
    lines = LineFormSet(
        request.POST or None, form_kwargs={"organization": user.organization}, prefix="lines"
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        chosen = [
            (row["item"], row["quantity"])
            for row in lines.cleaned_data
            if row.get("item") and row.get("quantity")
        ]
        data = form.cleaned_data
        try:
            order = orders.create_order(
                site=data["site"],
                customer=data["customer"],
                lines=chosen,
                by=user,
                customer_reference=data["customer_reference"],
                ship_to=data["ship_to"],
                requested_on=data["requested_on"],
                notes=data["notes"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect("shipping:order-detail", order.pk)
    return render(request, "shipping/order_form.html", {"form": form, "lines": lines})


@perm_required(VIEW)
def order_detail(request, pk: int):
    user = request.user
    order = selectors.get_order_or_404(user, pk)
    context = {
        "order": order,
        "progress": selectors.picking_list(order),
        "picks": order.picks.select_related(
            "object", "lot", "source", "suggested_lot", "picked_by", "line__item"
        ),
        "can_put_back": order.status == OrderStatus.PICKING
        and user.has_perm("shipping.pick_shipmentorder", order),
        "packages": [p for p in selectors.packages_of(order) if p.parent_id is None],
        "actions": ORDER.allowed(order, user),
        "reason_form": ReasonForm(),
        "can_pick": order.status in (OrderStatus.RELEASED, OrderStatus.PICKING)
        and user.has_perm("shipping.pick_shipmentorder", order),
        "can_pack": order.status == OrderStatus.PICKING
        and user.has_perm("shipping.pack_shipmentorder", order),
        "can_return": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        and user.has_perm("shipping.add_returnauthorization", order),
        "returns": order.returns.all(),
        "has_packages": order.packages.exists(),
    }
    if order.status == OrderStatus.SHIPPED and user.has_perm("shipping.confirm_delivery", order):
        token = shipment.delivery_token(order)
        context["can_record_delivery"] = True
        context["delivery_link"] = request.build_absolute_uri(
            reverse("shipping:confirm", args=[token])
        )
    return render(request, "shipping/order_detail.html", context)


@require_POST
@perm_required(VIEW)
def order_action(request, pk: int, action: str):
    order = selectors.get_order_or_404(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ACTIONS[action](order, request.user, reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(number)s: done.") % {"number": order.number})
    return redirect("shipping:order-detail", order.pk)


@require_POST
@perm_required("shipping.confirm_delivery")
def order_delivery(request, pk: int):
    """Record a delivery the customer confirmed by phone or e-mail."""
    order = selectors.get_order_or_404(request.user, pk)
    try:
        shipment.confirm_delivery(
            order,
            channel=DeliveryChannel.STAFF,
            by=request.user,
            received_by=request.POST.get("received_by", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery recorded."))
    return redirect("shipping:order-detail", order.pk)


@require_POST
@perm_required("shipping.pick_shipmentorder")
def pick_put_back(request, pk: int, pick_id: int):
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pick_shipmentorder")
    record = get_object_or_404(order.picks, pk=pick_id)
    try:
        picking.put_back(record, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Put back to %(location)s.") % {"location": record.source.path})
    return redirect("shipping:order-detail", order.pk)


# Picking: a phone-sized scan station.


@perm_required("shipping.pick_shipmentorder")
def pick_screen(request, pk: int):
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pick_shipmentorder")
    return render(
        request,
        "shipping/pick_screen.html",
        {"order": order, "progress": selectors.picking_list(order)},
    )


@perm_required(VIEW)
def pick_progress(request, pk: int):
    """The picking list fragment the screen refreshes after each scan."""
    order = selectors.get_order_or_404(request.user, pk)
    return render(
        request,
        "shipping/_pick_progress.html",
        {"order": order, "progress": selectors.picking_list(order)},
    )


@require_POST
@perm_required("shipping.pick_shipmentorder")
def pick_scan(request, pk: int):
    """One scan: the lot or unit label; the quantity (for a lot) and, off the FEFO lot, a
    reason come with it. Answers the scan station's feedback fragment, green or red."""
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pick_shipmentorder")
    try:
        code, key, at = station.scan_fields(request)
        if not code:
            return station.feedback(request, ok=False, message=_("Scan a lot or unit label."))
        obj = scanning.resolve(request.user, code)
        quantity = request.POST.get("quantity", "").strip() or scanning.label_quantity(code)
        done = picking.pick(
            order,
            obj=obj,
            quantity=quantity,
            reason=request.POST.get("reason", ""),
            key=key,
            at=at,
            by=request.user,
        )
    except DomainError as error:
        return station.feedback(request, ok=False, message=error.message)
    left = [entry for entry in selectors.picking_list(order) if not entry.done]
    if left:
        entry = left[0]
        prompt = _("Next: %(item)s, %(left)s %(uom)s to pick") % {
            "item": entry.line.item.code,
            "left": plain(entry.remaining),
            "uom": entry.line.uom,
        }
        if entry.fefo_lot is not None:
            prompt += " · " + _("lot %(lot)s") % {"lot": entry.fefo_lot.lot_number}
    else:
        prompt = _("Every line is picked: go on to packing.")
    return station.feedback(
        request,
        ok=True,
        message=_("Picked %(what)s: %(quantity)s %(uom)s from %(location)s.")
        % {
            "what": done.lot.lot_number if done.lot else done.object.identifier,
            "quantity": plain(done.quantity),
            "uom": done.uom,
            "location": done.source.path,
        },
        detail=done.object.identifier,
        next_prompt=prompt,
        trigger="picked",
        complete=True,
    )


# Packing.


@perm_required("shipping.pack_shipmentorder")
def pack_screen(request, pk: int):
    user = request.user
    order = selectors.get_order_or_404(user, pk, perm="shipping.pack_shipmentorder")
    waiting = selectors.unpacked_picks(order)
    if request.method == "POST":
        try:
            if request.POST.get("what") == "pallet":
                chosen = request.POST.getlist("case")
                cases = list(order.packages.filter(pk__in=chosen)) if chosen else None
                made = packing.pack_pallet(order, by=user, cases=cases)
            else:
                contents = _chosen_contents(request, waiting)
                made = packing.pack_case(order, by=user, contents=contents)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(kind)s %(sscc)s packed.")
                % {"kind": made.get_kind_display(), "sscc": made.sscc},
            )
        return redirect("shipping:pack", order.pk)
    return render(
        request,
        "shipping/pack_screen.html",
        {
            "order": order,
            "waiting": waiting,
            "packages": [p for p in selectors.packages_of(order) if p.parent_id is None],
            "loose": order.packages.filter(kind="case", parent__isnull=True),
            "pending": _pending(request, order),
            "can_finish": order.status == OrderStatus.PICKING,
        },
    )


def _pending_key(order) -> str:
    return f"shipping-pack-{order.pk}"


def _pending(request, order) -> list[tuple[TraceObject, str | None]]:
    """What was scanned into the case being filled (kept in the session until it is closed)."""
    rows = request.session.get(_pending_key(order), [])
    objects = {
        obj.pk: obj
        for obj in TraceObject.objects.filter(
            pk__in=[pk for pk, _q in rows], organization=order.organization
        )
    }
    return [(objects[pk], quantity) for pk, quantity in rows if pk in objects]


@require_POST
@perm_required("shipping.pack_shipmentorder")
def pack_scan(request, pk: int):
    """One scan into the case being filled: a unit, or a lot (the quantity field, default
    all of it that is picked and not yet packed). Nothing is recorded until the case is
    closed: then one packing event takes it all."""
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pack_shipmentorder")
    try:
        code, _key, _at = station.scan_fields(request)
        obj = scanning.resolve(request.user, code)
    except DomainError as error:
        return station.feedback(request, ok=False, message=error.message)
    waiting = selectors.unpacked(order)
    pending = request.session.get(_pending_key(order), [])
    if obj.pk not in waiting or any(row[0] == obj.pk for row in pending):
        return station.feedback(
            request,
            ok=False,
            message=_("%(code)s is not picked for %(order)s, or already in this case.")
            % {"code": obj.identifier, "order": order.number},
        )
    quantity = request.POST.get("quantity", "").strip() or None
    pending.append([obj.pk, quantity])
    request.session[_pending_key(order)] = pending
    return station.feedback(
        request,
        ok=True,
        message=_("In the case: %(code)s (%(count)s scanned).")
        % {"code": obj.identifier, "count": len(pending)},
        trigger="packed",
        complete=True,
    )


@require_POST
@perm_required("shipping.pack_shipmentorder")
def pack_close(request, pk: int):
    """Close the case being filled: allocate its SSCC and record the packing event."""
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pack_shipmentorder")
    contents = _pending(request, order)
    if request.POST.get("discard"):
        request.session.pop(_pending_key(order), None)
        return redirect("shipping:pack", order.pk)
    try:
        case = packing.pack_case(order, by=request.user, contents=contents or [])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        request.session.pop(_pending_key(order), None)
        messages.success(request, _("Case %(sscc)s packed.") % {"sscc": case.sscc})
    return redirect("shipping:pack", order.pk)


@perm_required("shipping.pack_shipmentorder")
def pack_pending(request, pk: int):
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.pack_shipmentorder")
    return render(
        request,
        "shipping/_pack_pending.html",
        {"order": order, "pending": _pending(request, order)},
    )


def _chosen_contents(request, waiting):
    """The ticked lines with their quantities; nothing ticked: everything waiting."""
    chosen = request.POST.getlist("object")
    if not chosen:
        return None
    objects = {str(row["object"].pk): row["object"] for row in waiting}
    contents = []
    for pk in chosen:
        obj = objects.get(pk) or get_object_or_404(
            TraceObject, pk=pk, organization=request.user.organization
        )
        text = request.POST.get(f"quantity-{pk}", "").strip()
        contents.append((obj, text or None))
    return contents


@perm_required(VIEW)
def package_label(request, pk: int):
    package = get_object_or_404(Package.objects.select_related("order"), pk=pk)
    order = selectors.get_order_or_404(request.user, package.order_id)
    try:
        pdf = documents.label_pdf(package, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shipping:order-detail", order.pk)
    return pdf_response(pdf, f"SSCC-{package.sscc}.pdf")


@perm_required(VIEW)
def shipment_document(request, pk: int, kind: str):
    order = selectors.get_order_or_404(request.user, pk)
    if kind not in documents.TEMPLATES:
        raise Http404
    pdf, filename = documents.shipment_pdf(order, kind, request=request)
    return pdf_response(pdf, filename)
