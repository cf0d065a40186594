"""Work orders: make a quantity of an item at a site, to the BOM and routing in force when
the order is released (snapshotted then, so later versions never change it), as one lot whose
number is drawn at release; QA releases that lot by signature, which closes the order."""

from decimal import ROUND_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Bom, Item, Routing
from medtrace.org.models import Location, Organization, Site
from medtrace.production.choices import WorkOrderStatus
from medtrace.trace.models import Lot, TraceEvent

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
    # Where the components are consumed and the output made (a production location).
    line = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("production line"),
    )  # fmt: skip
    lot = models.OneToOneField(
        Lot, on_delete=models.PROTECT, related_name="work_order", null=True, blank=True,
        editable=False, verbose_name=_("lot"),
    )  # fmt: skip
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
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, editable=False, verbose_name=_("completed by"),
    )  # fmt: skip
    lot_released_at = models.DateTimeField(_("lot released"), null=True, blank=True, editable=False)
    lot_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, editable=False, verbose_name=_("lot released by"),
    )  # fmt: skip
    lot_release_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        editable=False,
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
            ("execute_workorder", _("Perform operations, consume and record output")),
            ("complete_workorder", _("Complete work orders")),
            ("release_lot", _("Release produced lots (QA)")),
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

    @property
    def urn(self) -> str:
        """The order as an EPCIS business transaction (CBV bizTransaction type prodorder)."""
        return f"urn:medtrace:{self.organization.slug}:wo:{self.number}"

    def signed_content(self) -> dict:
        """What QA's release signs: the lot and the record of how it was made, as stored."""
        return {
            "order": self.number,
            "item": self.item.code,
            "lot": self.lot.lot_number if self.lot_id else None,
            "bom": self.snapshot.get("bom", {}).get("version"),
            "routing": self.snapshot.get("routing", {}).get("version"),
            "made": [
                [output.unit.serial if output.unit_id else None, str(output.quantity)]
                for output in self.outputs.select_related("unit").order_by("pk")
            ],
            "consumed": [
                [row.unit.identifier if row.unit_id else row.lot.identifier, str(row.quantity)]
                for row in self.consumptions.select_related("lot", "unit").order_by("pk")
            ],
            "operations": [
                [op.position, op.status, op.started_by_id, op.finished_by_id, op.equipment_id]
                for op in self.operations.order_by("position")
            ],
            "readings": [
                [reading.parameter, str(reading.value), reading.within_limits]
                for op in self.operations.order_by("position")
                for reading in op.readings.order_by("pk")
            ],
            "labels": [
                [row.identifier.value, row.printed, row.used, row.destroyed]
                for row in self.labels.select_related("identifier").order_by("pk")
            ],
        }

    def required(self, quantity: Decimal | None = None) -> list[dict]:
        """The snapshot's BOM lines with the quantity needed of each to make `quantity` (the
        order's, unless given): quantity times quantity per unit, rounded up to 4 decimals (a
        unit-counted component to a whole number), since less than that cannot build it."""
        made = self.quantity if quantity is None else quantity
        rows = []
        for line in self.snapshot.get("bom", {}).get("lines", []):
            needed = made * Decimal(line["quantity"])
            step = Decimal(1) if line["unit"] in WHOLE_UNITS else REQUIRED_PLACES
            needed = needed.quantize(step, rounding=ROUND_UP)
            rows.append({**line, "required": needed})
        return rows


WHOLE_UNITS = frozenset({"EA", "SET", "BOX", "PACK", "ROLL"})
