"""Work-order pages: the list (filter by status and item) with the planning form, the
schedule (open orders by planned start, per site), the detail (production/detail.py) with
release and cancel. Executing an order: execution_views.py (office) and floor_views.py."""

from itertools import groupby

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.catalog.models import Item
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.org.models import Site

from . import selectors, services
from .choices import WorkOrderStatus
from .detail import render_detail
from .forms import CancelForm, WorkOrderForm

# What the schedule shows: orders not yet closed or cancelled.
SCHEDULED = (
    WorkOrderStatus.PLANNED,
    WorkOrderStatus.RELEASED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.COMPLETED,
)
SCHEDULE_LIMIT = 500


def _form(request, data=None):
    sites = access.scoped(Site.objects.all(), request.user, perm="production.add_workorder")
    items = Item.objects.filter(organization_id=request.user.organization_id).order_by("code")
    initial = {"site": request.site} if getattr(request, "site", None) else None
    return WorkOrderForm(data, sites=sites, items=items, initial=initial)


@perm_required(selectors.VIEW)
def workorder_list(request):
    form = None
    if request.user.has_perm("production.add_workorder"):
        form = _form(request, request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order = services.create_work_order(
                    site=data["site"], item=data["item"], quantity=data["quantity"],
                    planned_start=data["planned_start"], planned_end=data["planned_end"],
                    note=data["note"], line=data["line"], by=request.user,
                )  # fmt: skip
            except DomainError as error:
                show_domain_error(form, error)
            else:
                return redirect("production:workorder-detail", order.pk)
    rows = selectors.visible_work_orders(request.user)
    if getattr(request, "site", None) is not None:
        rows = rows.filter(site=request.site)
    status = request.GET.get("status", "")
    if status in WorkOrderStatus.values:
        rows = rows.filter(status=status)
    item = request.GET.get("item", "").strip().upper()
    if item:
        rows = rows.filter(item__code=item)
    return render(
        request,
        "production/workorder_list.html",
        {
            "page": paginate(request, rows),
            "form": form,
            "statuses": WorkOrderStatus.choices,
            "status": status,
            "item": item,
        },
    )


@perm_required(selectors.VIEW)
def workorder_schedule(request):
    """Open orders by planned start, per site: one table a site, one row group a day; orders
    without a planned start at the end."""
    rows = selectors.visible_work_orders(request.user).filter(status__in=SCHEDULED)
    if getattr(request, "site", None) is not None:
        rows = rows.filter(site=request.site)
    rows = rows.select_related("line").order_by(
        "site__code", F("planned_start").asc(nulls_last=True), "number"
    )[:SCHEDULE_LIMIT]
    sites = []
    for site, orders in groupby(rows, key=lambda order: order.site):
        days = [
            {"day": day, "orders": list(group)}
            for day, group in groupby(orders, key=lambda order: order.planned_start)
        ]
        sites.append({"site": site, "days": days, "today": site.local_date()})
    return render(
        request, "production/workorder_schedule.html", {"sites": sites, "limit": SCHEDULE_LIMIT}
    )


def _get(request, pk):
    return get_object_or_404(selectors.visible_work_orders(request.user), pk=pk)


@perm_required(selectors.VIEW)
def workorder_detail(request, pk: int):
    return render_detail(request, _get(request, pk))


@require_POST
@perm_required("production.release_workorder")
def workorder_release(request, pk: int):
    order = _get(request, pk)
    try:
        services.release(order, by=request.user)
    except DomainError as error:
        return render_detail(request, order, release_error=error.message, status=422)
    messages.success(request, _("Work order %(order)s released.") % {"order": order.number})
    return redirect("production:workorder-detail", order.pk)


@require_POST
@perm_required("production.cancel_workorder")
def workorder_cancel(request, pk: int):
    order = _get(request, pk)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.cancel(order, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        show_domain_error(form, error)
        return render_detail(request, order, cancel_form=form, status=422)
    messages.success(request, _("Work order %(order)s cancelled.") % {"order": order.number})
    return redirect("production:workorder-detail", order.pk)
