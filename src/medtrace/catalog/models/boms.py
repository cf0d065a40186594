"""Bills of materials: what one unit of a product is made of, in numbered versions per item.
The version lifecycle is ProductVersion's."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import UnitOfMeasure
from medtrace.catalog.models.items import Item
from medtrace.catalog.models.versions import ProductVersion
from medtrace.core.numbers import plain


class Bom(ProductVersion):
    class Meta(ProductVersion.Meta):
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")

    def __str__(self):
        return f"BOM {self.item.code} v{self.version}"

    def content(self) -> list[dict]:
        return [line.content() for line in self.lines.select_related("component")]

    def signed_content(self) -> dict:
        """What an approval signs: the product, the version and every line."""
        return {"item": self.item.code, "version": self.version, "lines": self.content()}


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
            "quantity": plain(self.quantity),
            "unit": self.unit,
            "tolerance_percent": plain(self.tolerance_percent),
            "trace_required": self.trace_required,
        }
