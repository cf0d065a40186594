"""Stock: the ledger of moves the trace events make (inventory.ledger derives them in the
recording transaction) and the balance per location and lot or unit they add up to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.trace.models import Lot, TraceEvent, TraceObject

from .choices import AdjustmentReason, CountStatus


class StockMove(models.Model):
    """One ledger line: the quantity an event put at (+) or took from (-) one of our
    locations. Written with its event and never edited: a retracted event is reversed by
    new lines pointing at the retraction."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="stock_moves", verbose_name=_("event")
    )
    event_time = models.DateTimeField(_("event time"))
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot or unit")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("lot")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["event_time", "pk"]
        indexes = [
            models.Index(fields=["object", "event_time"], name="stock_move_by_object"),
            models.Index(fields=["location", "event_time"], name="stock_move_by_location"),
        ]

    def __str__(self):
        return f"{self.quantity:+} {self.uom} {self.object_id} @ {self.location_id}"


class Stock(models.Model):
    """What is where now: the sum of the moves per location and lot (or unit). The
    database refuses a negative balance, behind the ledger's own check."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="stock", verbose_name=_("lot or unit")
    )
    # The lot itself, or the unit's lot: stock by lot reads one column either way.
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("lot")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["location", "object"], name="stock_per_location"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "item"], name="stock_by_item"),
            models.Index(fields=["lot"], name="stock_by_lot"),
        ]

    def __str__(self):
        return f"{self.quantity} {self.uom} {self.object_id} @ {self.location_id}"


class CycleCount(models.Model):
    """A count of a location and the locations under it. Expected quantities are the books
    when the count starts; posting writes one adjustment event per differing line, signed by
    an approver when a difference is above the threshold (services.counts)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CountStatus.choices, default=CountStatus.OPEN,
        editable=False,
    )  # fmt: skip
    # The last ledger line when counting began: a move at a counted location after it means
    # the books changed under the count, which must then be recounted.
    ledger_mark = models.BigIntegerField(default=0, editable=False)
    note = models.TextField(_("note"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("posted by"),
    )  # fmt: skip
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("cycle count")
        verbose_name_plural = _("cycle counts")
        ordering = ["-started_at", "-pk"]
        permissions = [("approve_cyclecount", _("Approve large stock adjustments"))]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="count_number_unique")
        ]

    def __str__(self):
        return self.number

    def signed_content(self) -> dict:
        """What the approver signs: every line's books, count and reason."""
        return {
            "number": self.number,
            "location": self.location_id,
            "lines": [
                [line.location_id, line.object_id, line.expected, line.counted, line.reason]
                for line in self.lines.order_by("pk")
            ],
        }


class CountLine(models.Model):
    count = models.ForeignKey(CycleCount, on_delete=models.PROTECT, related_name="lines")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot or unit")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    uom = models.CharField(_("unit of measure"), max_length=8)
    expected = models.DecimalField(_("on the books"), max_digits=18, decimal_places=6)
    counted = models.DecimalField(
        _("counted"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=AdjustmentReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True,
    )  # fmt: skip
    adjustment = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("adjustment"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["location__path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["count", "location", "object"], name="count_line_once")
        ]

    def __str__(self):
        return f"{self.count_id} {self.location_id} {self.object_id}"

    @property
    def difference(self):
        return None if self.counted is None else self.counted - self.expected
