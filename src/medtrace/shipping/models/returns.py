"""Return authorizations (RMA) against a shipment: what may come back, its receipt into the
returns area, and QA's decision on each line."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.partners.models import Customer
from medtrace.quality.models import Nonconformance
from medtrace.trace.models import Lot, TraceEvent, TraceObject

from ..choices import ReturnDecision, ReturnStatus
from .orders import ShipmentOrder


class ReturnAuthorization(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30)
    order = models.ForeignKey(
        ShipmentOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=_("shipment")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reason = models.TextField(_("reason for the return"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReturnStatus.choices,
        default=ReturnStatus.AUTHORIZED,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("authorized"), auto_now_add=True)
    received_at = models.DateTimeField(_("received"), null=True, editable=False)
    received_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)

    class Meta:
        verbose_name = _("return authorization")
        verbose_name_plural = _("return authorizations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="rma_number")
        ]
        permissions = [
            ("receive_returnauthorization", _("Can receive returned goods")),
            ("decide_returnauthorization", _("Can decide what becomes of returned goods")),
        ]

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    rma = models.ForeignKey(ReturnAuthorization, on_delete=models.PROTECT, related_name="lines")
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot or unit")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", null=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)
    decision = models.CharField(
        _("decision"), max_length=8, choices=ReturnDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decision_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, related_name="+"
    )
    restocked_to = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ncr = models.ForeignKey(Nonconformance, on_delete=models.PROTECT, null=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["rma", "pk"]

    def __str__(self):
        return f"{self.rma.number}: {self.object.identifier} x {self.quantity}"
