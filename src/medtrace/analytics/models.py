"""What the dashboards read instead of recomputing it on every request: the units shipped per
day, counted from the trace by a background job (analytics.exposure; derived data, replaced
whole at each count, the trace stays the record). And who receives which management report by
e-mail, with each period's delivery (analytics.report_services)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.analytics.choices import DeliveryStatus, ReportFormat, ReportKind, StoredKind
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
    # The day's month (its first day), kept so months are summed without a date function per
    # row: SQLite calls Python for each, 0.3 s over a 1M-unit plant's 66,000 days.
    month = models.DateField()
    quantity = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["item", "day"], name="shipped_day_by_item"),
            models.Index(fields=["organization", "day"], name="shipped_day_by_organization"),
        ]

    def __str__(self):
        return f"{self.item_id}/{self.lot_id} {self.day}: {self.quantity}"


class Refresh(models.Model):
    """When an organization's stored dashboard figures of one kind (StoredKind: the units
    shipped, the lot risk signals) were last computed, how long it took and how many rows."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=StoredKind.choices)
    computed_at = models.DateTimeField(_("computed"))
    elapsed_ms = models.PositiveIntegerField(_("time taken (ms)"))
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="refresh_per_kind")
        ]

    def __str__(self):
        return f"{self.organization_id} {self.kind} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ReportSubscription(models.Model):
    """`user` receives `report` by e-mail as `file_format` each period, as they see it: their
    roles, at `site` (None: all their sites)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_subscriptions",
        verbose_name=_("subscriber"),
    )  # fmt: skip
    report = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("site"),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.get_report_display()} · {self.get_file_format_display()}"


class ReportDelivery(models.Model):
    """One period's report e-mailed to a subscriber, or why it could not be."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    period_since = models.DateField(_("from"))
    period_until = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices)
    attempted_at = models.DateTimeField(_("attempted"))
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    attachment = models.CharField(_("attachment"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-attempted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_since"], name="report_delivery_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id} {self.period_since}: {self.status}"


class LotSignal(models.Model):
    """A risk finding as it counts on `lot` (analytics.risk), kept by the hourly assessment for
    every finding of the organization; each reader sees the rows whose record they may read
    (`perm` at `site`). `source` is the lot the record names."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=24)
    record = models.CharField(max_length=60)
    url = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=0)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", null=True)
    perm = models.CharField(max_length=60, blank=True)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "lot"], name="lot_signal_by_lot")]

    def __str__(self):
        return f"{self.lot_id}: {self.rule} {self.record} +{self.weight}"
