"""Bills of materials: what one unit of a product is made of, in numbered versions per item.
A version is drafted, approved by an electronic signature, and made obsolete when a later
version is approved; only a draft's lines can change (an approved BOM is immutable)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import UnitOfMeasure
from medtrace.catalog.models.items import Item
from medtrace.org.models import Organization


class BomStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    OBSOLETE = "obsolete", _("Obsolete")


class Bom(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="boms", verbose_name=_("product")
    )
    version = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=BomStatus.choices, default=BomStatus.DRAFT
    )
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        ordering = ["item__code", "-version"]
        permissions = [("approve_bom", "Can approve a BOM")]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="bom_item_version_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="approved"),
                name="bom_one_approved_per_item",
            ),
        ]

    def __str__(self):
        return f"BOM {self.item.code} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == BomStatus.DRAFT

    def signed_content(self) -> dict:
        """What an approval signs: the product, the version and every line."""
        return {
            "item": self.item.code,
            "version": self.version,
            "lines": [line.content() for line in self.lines.select_related("component")],
        }


class BomLine(models.Model):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"))
    component = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="used_in_bom_lines",
        verbose_name=_("component"),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=UnitOfMeasure.choices)
    tolerance_percent = models.DecimalField(
        _("tolerance (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    trace_required = models.BooleanField(_("lot traced"), default=True)

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["bom_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bom", "position"], name="bom_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(tolerance_percent__gte=0), name="bom_line_tolerance_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.position}: {self.quantity} {self.unit} {self.component.code}"

    def content(self) -> dict:
        return {
            "position": self.position,
            "component": self.component.code,
            "quantity": str(self.quantity.normalize()),
            "unit": self.unit,
            "tolerance_percent": str(self.tolerance_percent.normalize()),
            "trace_required": self.trace_required,
        }
