"""The event log: one row per EPCIS event as captured, never updated or deleted (database
triggers refuse it). A correction is a new row: an error declaration of the same event ID
(`declares` points at the event it retracts), or a reversing event with a reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Location, Organization, Site
from medtrace.trace.choices import Action, EventType, ObjectRole
from medtrace.trace.models.objects import TraceObject


class TraceEvent(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("site"),
    )
    event_id = models.CharField(_("event ID"), max_length=300)
    event_type = models.CharField(_("event type"), max_length=20, choices=EventType.choices)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, blank=True)
    event_time = models.DateTimeField(_("event time"))
    event_time_zone_offset = models.CharField(_("time zone offset"), max_length=6)
    record_time = models.DateTimeField(_("record time"), auto_now_add=True)
    biz_step = models.CharField(_("business step"), max_length=200, blank=True)
    disposition = models.CharField(_("disposition"), max_length=200, blank=True)
    read_point = models.CharField(_("read point"), max_length=300, blank=True)
    biz_location = models.CharField(_("business location"), max_length=300, blank=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("location"),
    )
    declares = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="declaration",
        null=True,
        blank=True,
        verbose_name=_("declares erroneous"),
    )
    reason = models.TextField(_("reason"), blank=True)
    document = models.JSONField(_("event as captured"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        ordering = ["event_time", "pk"]
        indexes = [
            models.Index(fields=["organization", "event_time"]),
            # Recording looks events up by ID; the unique constraint's index is partial (not
            # for error declarations), so it cannot serve that lookup.
            models.Index(fields=["organization", "event_id"], name="trace_event_by_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event_id"],
                condition=Q(declares__isnull=True),
                name="trace_event_id_unique",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.biz_step or ''} {self.event_time:%Y-%m-%d %H:%M}"


class EventObject(models.Model):
    """An object an event touched, in its role; quantity for class-level (lot) entries."""

    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="touched")
    role = models.CharField(_("role"), max_length=8, choices=ObjectRole.choices)
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    identifier = models.CharField(_("identifier"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    uom = models.CharField(_("unit of measure"), max_length=8, blank=True)
    # From a quantity list (a class: a lot, a GTIN) rather than an EPC list (one instance);
    # EPCIS queries tell MATCH_epc from MATCH_epcClass by it.
    class_level = models.BooleanField(_("class level"), default=False)

    class Meta:
        verbose_name = _("event object")
        verbose_name_plural = _("event objects")
        indexes = [models.Index(fields=["object", "event"])]

    def __str__(self):
        return f"{self.role} {self.identifier}"
