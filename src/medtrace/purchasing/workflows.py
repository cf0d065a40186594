"""The purchase order's lifecycle and the receipt's release, declared once (core.workflow).
An order is released by purchasing (every line's source checked), cancelled while nothing was
received, closed once received or when the rest will not come. Receiving moves it to partially
received and received (services.receiving). A receipt's lot is released by QA's signature."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.purchasing.choices import PurchaseOrderStatus, ReceiptStatus

PURCHASE_ORDER = Workflow(
    PurchaseOrderStatus,
    [
        Transition(
            "release", _("Release"), sources=[PurchaseOrderStatus.DRAFT],
            target=PurchaseOrderStatus.RELEASED,
            permission="purchasing.release_purchaseorder",
        ),
        Transition(
            "cancel", _("Cancel"),
            sources=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.RELEASED],
            target=PurchaseOrderStatus.CANCELLED, permission="purchasing.release_purchaseorder",
            needs_reason=True,
        ),
        Transition(
            "close", _("Close"),
            sources=[PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED],
            target=PurchaseOrderStatus.CLOSED, permission="purchasing.release_purchaseorder",
            needs_reason=True,
        ),
    ],
)  # fmt: skip

RECEIPT = Workflow(
    ReceiptStatus,
    [
        Transition(
            "release", _("Release to stock"), sources=[ReceiptStatus.QUARANTINE],
            target=ReceiptStatus.RELEASED, permission="purchasing.release_receipt",
            signature=SignatureMeaning.RELEASED,
        ),
    ],
)  # fmt: skip
