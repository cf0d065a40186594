"""Stock: the ledger of moves the trace events make (inventory.ledger derives them in the
recording transaction) and the balance per location and lot or unit they add up to."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.trace.models import Lot, TraceEvent, TraceObject


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
