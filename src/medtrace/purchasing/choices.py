from django.db import models
from django.utils.translation import gettext_lazy as _


class PurchaseOrderStatus(models.TextChoices):
    """A purchase order's lifecycle (purchasing.workflows.PURCHASE_ORDER); partially received
    and received follow from the receipts."""

    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Orders whose lines may still be received against.
RECEIVABLE = (PurchaseOrderStatus.RELEASED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class ReceiptStatus(models.TextChoices):
    """A receipt's lot: in quarantine until QA releases it (after an accepted incoming
    inspection, when the item has a plan)."""

    QUARANTINE = "quarantine", _("In quarantine")
    RELEASED = "released", _("Released")


class Mismatch(models.TextChoices):
    """What a receipt found different from its purchase order line. Those in NEEDS_REASON are
    refused unless the receiver gives a reason; the others are noted."""

    OVER_RECEIPT = "over_receipt", _("More than the open quantity")
    EXPIRY_MISSING = "expiry_missing", _("No expiry date")
    SHORT_SHELF_LIFE = "short_shelf_life", _("Shorter remaining shelf life than required")
    GTIN_NOT_ON_RECORD = "gtin_not_on_record", _("Product code not on record")


NEEDS_REASON = frozenset(
    {Mismatch.OVER_RECEIPT, Mismatch.EXPIRY_MISSING, Mismatch.SHORT_SHELF_LIFE}
)
