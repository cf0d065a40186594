"""Reading purchasing records, always scoped to the sites the user may see: orders with their
lines, the expected receipts (open lines by expected date), receipts."""

from datetime import date

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from medtrace.org import access
from medtrace.purchasing.choices import RECEIVABLE
from medtrace.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt

VIEW_ORDER = "purchasing.view_purchaseorder"
VIEW_RECEIPT = "purchasing.view_receipt"


def visible_orders(user, *, perm: str | None = None) -> QuerySet[PurchaseOrder]:
    return access.scoped(
        PurchaseOrder.objects.select_related("site", "supplier"), user, perm=perm or VIEW_ORDER
    )


def with_lines(orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    return orders.prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("item"))
    )


def get_order_or_404(user, pk: int, *, perm: str | None = None) -> PurchaseOrder:
    return access.get_scoped_or_404(
        with_lines(PurchaseOrder.objects.select_related("site", "supplier", "created_by")),
        user,
        perm=perm or VIEW_ORDER,
        pk=pk,
    )


def get_line_or_404(user, pk: int, *, perm: str | None = None) -> PurchaseOrderLine:
    line = (
        access.scoped(
            PurchaseOrderLine.objects.select_related("order__site", "order__supplier", "item"),
            user,
            perm=perm or VIEW_ORDER,
            site_field="order__site",
        )
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


def expected_receipts(user, *, site=None, today: date | None = None) -> QuerySet:
    """Lines of released orders still open, by expected date, each with `.overdue`."""
    lines = access.scoped(
        PurchaseOrderLine.objects.select_related("order__site", "order__supplier", "item"),
        user,
        perm=VIEW_ORDER,
        site_field="order__site",
    ).filter(order__status__in=RECEIVABLE, received_quantity__lt=F("quantity"))
    if site is not None:
        lines = lines.filter(order__site=site)
    return lines.order_by("expected_on", "order__number", "position")


def visible_receipts(user) -> QuerySet[Receipt]:
    return access.scoped(
        Receipt.objects.select_related("site", "order__supplier", "line", "lot__item"),
        user,
        perm=VIEW_RECEIPT,
    )


def get_receipt_or_404(user, pk: int) -> Receipt:
    return access.get_scoped_or_404(
        Receipt.objects.select_related(
            "site", "order__supplier", "line__item", "lot__item", "inspection", "event",
            "release_event", "received_by",
        ),
        user,
        perm=VIEW_RECEIPT,
        pk=pk,
    )  # fmt: skip


# The audit trail's links to the records it names (audit.selectors.register_record_type).
def order_url(object_id: str, site) -> str | None:
    return (
        reverse("purchasing:order-detail", args=[int(object_id)]) if object_id.isdigit() else None
    )


def order_for_history(user, object_id: str) -> PurchaseOrder:
    return get_order_or_404(user, int(object_id)) if object_id.isdigit() else _missing()


def receipt_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("purchasing:receipt-detail", args=[int(object_id)])


def receipt_for_history(user, object_id: str) -> Receipt:
    return get_receipt_or_404(user, int(object_id)) if object_id.isdigit() else _missing()


def _missing():
    raise Http404
