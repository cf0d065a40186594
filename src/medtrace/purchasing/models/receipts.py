"""Receipts: one supplier lot received against a purchase order line, into quarantine, with
what was scanned, what differed from the order, the certificate of analysis, the trace event,
the incoming inspection, and QA's signed release."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization, Site
from medtrace.purchasing.choices import ReceiptStatus
from medtrace.purchasing.models.orders import PurchaseOrder, PurchaseOrderLine
from medtrace.quality.models import InspectionRecord
from medtrace.trace.models import Lot, TraceEvent


class Receipt(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="receipts",
        verbose_name=_("purchase order"),
    )  # fmt: skip
    line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts",
        verbose_name=_("order line"),
    )  # fmt: skip
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("lot")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)
    scanned = models.TextField(_("scanned"), blank=True)
    scan = models.JSONField(_("scan result"), default=dict, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    supplier_lot_number = models.CharField(_("supplier lot number"), max_length=40)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # [{"kind": Mismatch, "message": str}]
    mismatches = models.JSONField(_("differences from the order"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    certificate = models.FileField(
        _("certificate of analysis"), upload_to="purchasing/coa/%Y/", blank=True
    )
    certificate_name = models.CharField(_("certificate file"), max_length=200, blank=True)
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, blank=True)
    event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("receipt event")
    )
    key = models.CharField(_("client key"), max_length=64, blank=True)
    inspection = models.ForeignKey(
        InspectionRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("incoming inspection"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=ReceiptStatus.choices,
        default=ReceiptStatus.QUARANTINE, editable=False,
    )  # fmt: skip
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("received by"),
    )  # fmt: skip
    received_at = models.DateTimeField(_("received"))
    release_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("release event"),
    )  # fmt: skip
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="receipt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "key"], condition=~Q(key=""), name="receipt_key_unique"
            ),
        ]
        permissions = [("release_receipt", "Can release a received lot from quarantine")]

    def __str__(self):
        return self.number

    def signed_content(self) -> dict:
        """What QA's release signs: the lot as received and the inspection it rests on."""
        return {
            "order": self.order.number,
            "line": self.line.position,
            "lot": self.lot.lot_number,
            "item": self.lot.item.code,
            "quantity": self.quantity,
            "uom": self.uom,
            "supplier_lot_number": self.supplier_lot_number,
            "manufactured_on": self.manufactured_on,
            "expires_on": self.expires_on,
            "mismatches": self.mismatches,
            "certificate_sha256": self.certificate_sha256,
            "inspection": self.inspection.number if self.inspection_id else None,
            "verdict": self.inspection.verdict if self.inspection_id else None,
        }
