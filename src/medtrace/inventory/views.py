"""Stock pages: what is where with its status (rows or totals), what expires in the next 30 / 60
/ 90 days, and cycle counts from start to posting. Scoped to the user's sites (org.access);
the floor screens (scan putaway, transfer, issue) are floor_views."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.org.models import Location
from medtrace.trace.selectors import find_one

from . import selectors
from .choices import CountStatus
from .forms import (
    CancelCountForm,
    CountLineForm,
    PostCountForm,
    StartCountForm,
    StockFilterForm,
)
from .models import CycleCount
from .services import counts


def _today(request):
    return request.site.local_date() if request.site is not None else timezone.localdate()


@vary_on_headers("HX-Request")
@perm_required(selectors.VIEW)
def stock_list(request):
    form = StockFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.stock_list(
        request.user,
        today=_today(request),
        site=request.site,
        status=data.get("status") or "",
        text=(data.get("q") or "").strip(),
    )
    where = (data.get("location") or "").strip()
    if where:
        rows = rows.filter(Q(location__path__icontains=where) | Q(location__name__icontains=where))
    totals = data.get("view") == "totals"
    page = paginate(request, selectors.totals(rows) if totals else rows)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return render(
        request,
        "inventory/_stock_table.html" if fragment else "inventory/stock_list.html",
        {"form": form, "page": page, "totals": totals},
    )


@perm_required(selectors.VIEW)
def expiry_forecast(request):
    rows = selectors.expiry_forecast(request.user, today=_today(request), site=request.site)
    buckets = [
        (0, _("Expired, still in stock")),
        *((days, _("Within %(days)s days") % {"days": days}) for days in selectors.FORECAST_DAYS),
    ]
    grouped = [
        (bucket, label, [row for row in rows if row["bucket"] == bucket])
        for bucket, label in buckets
    ]
    return render(request, "inventory/expiry.html", {"groups": grouped})


def _countable_locations(user, perm="inventory.add_cyclecount"):
    return (
        access.scoped(Location.objects.select_related("site"), user, perm=perm)
        .filter(is_active=True)
        .order_by("site__code", "path")
    )


def _visible_counts(user):
    return access.scoped(
        CycleCount.objects.select_related("site", "location", "started_by"),
        user,
        perm="inventory.view_cyclecount",
    )


@perm_required("inventory.view_cyclecount")
def count_list(request):
    can_start = request.user.has_perm("inventory.add_cyclecount")
    form = None
    if can_start:
        locations = _countable_locations(request.user)
        form = StartCountForm(request.POST or None, locations=locations)
        if request.method == "POST" and form.is_valid():
            try:
                count = counts.start_count(
                    location=form.cleaned_data["location"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                return redirect("inventory:count-detail", count.pk)
    rows = _visible_counts(request.user)
    if request.site is not None:
        rows = rows.filter(site=request.site)
    return render(
        request, "inventory/count_list.html", {"page": paginate(request, rows), "form": form}
    )


def _count_page(request, count, *, line_form=None, post_form=None, cancel_form=None):
    open_count = count.status == CountStatus.OPEN
    can_count = open_count and access.permits(request.user, "inventory.add_cyclecount", count)
    locations = Location.objects.filter(site=count.site).filter(
        Q(path=count.location.path) | Q(path__startswith=f"{count.location.path}/")
    )
    approval = open_count and counts.needs_approval(count)
    return render(
        request,
        "inventory/count_detail.html",
        {
            "count": count,
            "lines": count.lines.select_related("location", "object", "item", "counted_by"),
            "can_count": can_count,
            "line_form": line_form or (CountLineForm(locations=locations) if can_count else None),
            "needs_approval": approval,
            "can_post": can_count
            and access.permits(
                request.user,
                "inventory.approve_cyclecount" if approval else "inventory.add_cyclecount",
                count,
            ),
            "post_form": post_form or PostCountForm(),
            "cancel_form": cancel_form or CancelCountForm(),
        },
    )


def _get_count(request, pk):
    return get_object_or_404(_visible_counts(request.user), pk=pk)


@perm_required("inventory.view_cyclecount")
def count_detail(request, pk: int):
    return _count_page(request, _get_count(request, pk))


@require_POST
@perm_required("inventory.add_cyclecount")
def count_record(request, pk: int):
    count = _get_count(request, pk)
    locations = Location.objects.filter(site=count.site)
    form = CountLineForm(request.POST, locations=locations)
    if form.is_valid():
        try:
            counts.record_counted(
                count,
                obj=find_one(request.user, form.cleaned_data["code"]),
                location=form.cleaned_data["location"],
                counted=form.cleaned_data["counted"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return redirect("inventory:count-detail", count.pk)
    return _count_page(request, count, line_form=form)


@require_POST
@perm_required("inventory.add_cyclecount")
def count_post(request, pk: int):
    count = _get_count(request, pk)
    form = PostCountForm(request.POST)
    form.is_valid()
    try:
        counts.post(
            count,
            by=request.user,
            password=form.cleaned_data.get("password", ""),
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _count_page(request, count, post_form=form)
    messages.success(request, _("Count %(count)s posted.") % {"count": count.number})
    return redirect("inventory:count-detail", count.pk)


@require_POST
@perm_required("inventory.add_cyclecount")
def count_cancel(request, pk: int):
    count = _get_count(request, pk)
    form = CancelCountForm(request.POST)
    form.is_valid()
    try:
        counts.cancel(count, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        show_domain_error(form, error)
        return _count_page(request, count, cancel_form=form)
    return redirect("inventory:count-detail", count.pk)
