"""Work orders: make a quantity of an item at a site, to the BOM and routing in force when
the order is released (snapshotted then, so later versions never change it)."""

from decimal import ROUND_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Bom, Item, Routing
from medtrace.org.models import Organization, Site

from .choices import WorkOrderStatus

REQUIRED_PLACES = Decimal("0.0001")


class WorkOrder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=8, editable=False)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.PLANNED, editable=False,
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    bom = models.ForeignKey(
        Bom, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        editable=False, verbose_name=_("BOM version"),
    )  # fmt: skip
    routing = models.ForeignKey(
        Routing, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        editable=False, verbose_name=_("routing version"),
    )  # fmt: skip
    # What production builds to, as it was at release: {"bom": {...}, "routing": {...}}.
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True, editable=False)
    released_at = models.DateTimeField(_("released"), null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, editable=False, verbose_name=_("released by"),
    )  # fmt: skip
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("release_workorder", _("Release work orders")),
            ("cancel_workorder", _("Cancel work orders")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="work_order_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="work_order_quantity_positive"
            ),
        ]

    def __str__(self):
        return self.number

    def required(self) -> list[dict]:
        """The snapshot's BOM lines with the quantity this order needs of each: quantity times
        quantity per unit, rounded up to 4 decimals (a unit-counted component to a whole
        number), since less than that cannot build the order."""
        rows = []
        for line in self.snapshot.get("bom", {}).get("lines", []):
            needed = self.quantity * Decimal(line["quantity"])
            step = Decimal(1) if line["unit"] in WHOLE_UNITS else REQUIRED_PLACES
            needed = needed.quantize(step, rounding=ROUND_UP)
            rows.append({**line, "required": needed})
        return rows


WHOLE_UNITS = frozenset({"EA", "SET", "BOX", "PACK", "ROLL"})
