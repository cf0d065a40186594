"""The purchase order pages: the list with filters, the form that drafts an order, the order
with its lines (each with its approved-source verdict and, for a conditional source, the QA
manager's signed exception), the workflow actions (release, cancel, close), its receipts; and
the expected receipts per site. Every write goes through purchasing.services.orders, every
query through purchasing.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.partners.choices import Verdict
from medtrace.purchasing import selectors
from medtrace.purchasing.choices import RECEIVABLE, PurchaseOrderStatus
from medtrace.purchasing.forms import ExceptionForm, LineForm, OrderFilterForm, OrderForm
from medtrace.purchasing.services import orders
from medtrace.purchasing.workflows import PURCHASE_ORDER
from medtrace.quality import workflow_views

VIEW = selectors.VIEW_ORDER
ADD = "purchasing.add_purchaseorder"
CHANGE = "purchasing.change_purchaseorder"
ADD_RECEIPT = "purchasing.add_receipt"


def _action(name: str):
    return lambda order, by, data: orders.ACTIONS[name](order, by, data.get("reason", ""))


ACTIONS = {name: _action(name) for name in orders.ACTIONS}


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _sites(user, perm):
    return access.scoped(access.visible_sites(user), user, perm=perm).order_by("code")


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def order_list(request):
    user = request.user
    form = OrderFilterForm(request.GET or None, sites=_sites(user, VIEW))
    records = selectors.visible_orders(user)
    if request.site is not None:
        records = records.filter(site=request.site)
    data = form.cleaned_data if form.is_valid() else {}
    text = (data.get("q") or "").strip()
    if text:
        records = records.filter(
            Q(number__icontains=text) | Q(supplier__code__icontains=text)
            | Q(supplier__name__icontains=text)
        )  # fmt: skip
    if data.get("site"):
        records = records.filter(site=data["site"])
    if data.get("status"):
        records = records.filter(status=data["status"])
    page = paginate(request, records)
    template = (
        "purchasing/_order_table.html" if _fragment(request) else "purchasing/order_list.html"
    )
    return render(request, template, {"form": form, "page": page, "can_add": user.has_perm(ADD)})


@perm_required(ADD)
def order_create(request):
    user = request.user
    sites = _sites(user, ADD)
    initial = {"site": request.site} if request.site in sites else {}
    form = OrderForm(
        request.POST or None, sites=sites, organization=user.organization, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = orders.create_order(by=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request, _("Purchase order %(number)s drafted.") % {"number": order.number}
            )
            return redirect("purchasing:order-detail", order.pk)
    return render(request, "purchasing/order_form.html", {"form": form})


def _lines(order, user):
    """The lines, each with its source verdict, covering exception and exception form."""
    may_approve = user.has_perm(orders.APPROVE_EXCEPTION, order)
    open_for_exception = order.status in (PurchaseOrderStatus.DRAFT, *RECEIVABLE)
    lines = list(order.lines.all())
    for line in lines:
        line.order = order
        line.verdict = orders.verdict_of(line)
        line.exception = None
        line.exception_form = None
        if line.verdict.verdict == Verdict.CONDITIONAL:
            line.exception = orders.covering_exception(line, line.verdict)
            if line.exception is None and may_approve and open_for_exception:
                line.exception_form = ExceptionForm(auto_id=f"id_exception_{line.pk}_%s")
    return lines


def _detail(request, order, bound=None, *, line_form=None, exception=None):
    user = request.user
    lines = _lines(order, user)
    if exception is not None:
        for line in lines:
            if line.pk == exception[0]:
                line.exception_form = exception[1]
    may_change = order.status == PurchaseOrderStatus.DRAFT and user.has_perm(CHANGE, order)
    if may_change and line_form is None:
        line_form = LineForm(organization=order.organization)
    context = {
        "order": order,
        "lines": lines,
        "line_form": line_form if may_change else None,
        "actions": workflow_views.offered(PURCHASE_ORDER, order, user, ACTIONS, bound),
        "refused": bound[0] if bound else "",
        "receipts": order.receipts.select_related("lot", "line__item").order_by("-received_at"),
        "may_receive": order.status in RECEIVABLE and user.has_perm(ADD_RECEIPT, order),
    }
    return render(request, "purchasing/order_detail.html", context)


@perm_required(VIEW)
def order_detail(request, pk: int):
    return _detail(request, selectors.get_order_or_404(request.user, pk))


@require_POST
@perm_required(VIEW)
def order_action(request, pk: int, action: str):
    order = selectors.get_order_or_404(request.user, pk)
    return workflow_views.take(
        request,
        order,
        action,
        workflow=PURCHASE_ORDER,
        actions=ACTIONS,
        reload=lambda: selectors.get_order_or_404(request.user, pk),
        detail=lambda record, bound: _detail(request, record, bound),
        url=reverse("purchasing:order-detail", args=[pk]),
    )


@require_POST
@perm_required(CHANGE)
def order_add_line(request, pk: int):
    user = request.user
    order = selectors.get_order_or_404(user, pk)
    if not user.has_perm(CHANGE, order):
        raise PermissionDenied
    form = LineForm(request.POST, organization=order.organization)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            orders.add_line(order, by=user, **data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Line added."))
            return redirect("purchasing:order-detail", pk)
    return _detail(request, selectors.get_order_or_404(user, pk), line_form=form)


@require_POST
@perm_required(orders.APPROVE_EXCEPTION)
def line_exception(request, pk: int):
    user = request.user
    line = selectors.get_line_or_404(user, pk)
    if not user.has_perm(orders.APPROVE_EXCEPTION, line.order):
        raise PermissionDenied
    form = ExceptionForm(request.POST, auto_id=f"id_exception_{line.pk}_%s")
    if form.is_valid():
        try:
            orders.grant_exception(
                line, by=user, password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except DomainError as error:
            if error.details.get("cause") in workflow_views.PASSWORD_CAUSES:
                form.add_error("password", str(error.message))
            else:
                show_domain_error(form, error)
        else:
            messages.success(
                request, _("Exception signed for line %(line)s.") % {"line": line.position}
            )
            return redirect("purchasing:order-detail", line.order_id)
    order = selectors.get_order_or_404(user, line.order_id)
    return _detail(request, order, exception=(line.pk, form))


@vary_on_headers("HX-Request")
@perm_required(VIEW)
def expected(request):
    user = request.user
    lines = selectors.expected_receipts(user, site=request.site)
    page = paginate(request, lines)
    for line in page.object_list:
        line.overdue = line.expected_on < line.order.site.local_date()
        line.may_receive = user.has_perm(ADD_RECEIPT, line.order)
    return render(request, "purchasing/expected.html", {"page": page})
