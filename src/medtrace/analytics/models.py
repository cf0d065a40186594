"""What the dashboards read instead of recomputing it on every request: the units shipped per
day, counted from the trace by a background job (analytics.exposure). Derived data, replaced
whole at each count; the trace stays the record."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Organization, Site
from medtrace.trace.models import Lot


class ShippedDay(models.Model):
    """Units of `item` (of `lot`) that shipping events at `site` sent to customers on `day`
    (in the installation's time zone)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", null=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", null=True)
    day = models.DateField()
    quantity = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["item", "day"], name="shipped_day_by_item"),
            models.Index(fields=["organization", "day"], name="shipped_day_by_organization"),
        ]

    def __str__(self):
        return f"{self.item_id}/{self.lot_id} {self.day}: {self.quantity}"


class ShippedCount(models.Model):
    """When the organization's units shipped were last counted, and what it took."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField(_("counted"))
    elapsed_ms = models.PositiveIntegerField(_("time taken (ms)"))
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("count of units shipped")
        verbose_name_plural = _("counts of units shipped")

    def __str__(self):
        return f"{self.organization_id} @ {self.counted_at:%Y-%m-%d %H:%M}"
