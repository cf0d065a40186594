"""Purchase orders and their lines, and the QA manager's signed exception that lets a line be
ordered from a conditionally approved source."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Organization, Site
from medtrace.partners.models import Supplier
from medtrace.purchasing.choices import PurchaseOrderStatus

# The over-receipt a line accepts without a reason unless it says otherwise (percent).
DEFAULT_TOLERANCE_PERCENT = Decimal("0")


class PurchaseOrder(models.Model):
    """An order to one supplier, received at one site. Its status moves through the workflow
    (purchasing.workflows.PURCHASE_ORDER) and, once released, with its receipts."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders",
        verbose_name=_("supplier"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.DRAFT, editable=False,
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="po_number_unique")
        ]
        indexes = [models.Index(fields=["site", "status"], name="po_by_site_status")]
        permissions = [
            ("release_purchaseorder", "Can release, cancel and close a purchase order"),
        ]

    def __str__(self):
        return self.number

    @property
    def urn(self) -> str:
        """The order as an EPCIS business transaction (bizTransaction type po)."""
        return f"urn:medtrace:{self.organization.slug}:po:{self.number}"


class PurchaseOrderLine(models.Model):
    """One item ordered: how much, when it is expected, how much arrived so far, and what
    receiving checks it against (the supplier's product code, the over-receipt tolerance, the
    shelf life that must remain)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order")
    )
    position = models.PositiveIntegerField(_("line"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)
    expected_on = models.DateField(_("expected"))
    received_quantity = models.DecimalField(
        _("received"), max_digits=18, decimal_places=6, default=Decimal(0), editable=False
    )
    supplier_gtin = models.CharField(
        _("supplier's GTIN"), max_length=14, blank=True,
        help_text=_("The GTIN on the supplier's label, when it is not one of the item's own."),
    )  # fmt: skip
    supplier_item_code = models.CharField(
        _("supplier's item code"), max_length=40, blank=True,
        help_text=_("The supplier's product code (HIBC product code, MA code)."),
    )  # fmt: skip
    tolerance_percent = models.DecimalField(
        _("over-receipt tolerance (%)"), max_digits=5, decimal_places=2,
        default=DEFAULT_TOLERANCE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    min_remaining_days = models.PositiveIntegerField(
        _("minimum remaining shelf life (days)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="po_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
        ]
        indexes = [models.Index(fields=["expected_on"], name="po_line_by_expected")]

    def __str__(self):
        return f"{self.order.number}/{self.position} {self.item.code}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal(0))


class SourceException(models.Model):
    """The QA manager's decision that one line may be ordered (and received) from a source
    whose approval is conditional, under the conditions the verdict named then. Signed (meaning
    approved) and never changed; a line whose source's conditions changed needs a new one."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="exceptions",
        verbose_name=_("order line"),
    )  # fmt: skip
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    conditions = models.TextField(_("conditions"), blank=True)
    conditions_due_on = models.DateField(_("conditions due"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("source exception")
        verbose_name_plural = _("source exceptions")
        ordering = ["-decided_at", "-pk"]
        permissions = [
            ("approve_sourceexception", "Can sign an exception for a conditional source"),
        ]

    def __str__(self):
        return f"{self.line.order.number}/{self.line.position}: {self.supplier.code}"

    def signed_content(self) -> dict:
        return {
            "order": self.line.order.number,
            "line": self.line.position,
            "supplier": self.supplier.code,
            "item": self.item.code,
            "conditions": self.conditions,
            "conditions_due_on": self.conditions_due_on,
            "reason": self.reason,
        }
