"""Shipment orders to customers, what was picked for them (each pick one stock movement), and
the cases and pallets they were packed in (each a trace container with an SSCC)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.partners.models import Customer
from medtrace.trace.models import Container, Lot, TraceEvent, TraceObject

from ..choices import DeliveryChannel, OrderStatus, PackageKind


class ShipmentOrder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("shipping site")
    )
    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    customer_reference = models.CharField(_("customer's order number"), max_length=60, blank=True)
    ship_to = models.TextField(_("ship to"), blank=True)
    requested_on = models.DateField(_("requested delivery date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, editable=False)
    shipped_at = models.DateTimeField(_("shipped"), null=True, editable=False)
    shipment_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, editable=False)
    delivery_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    delivery_channel = models.CharField(
        _("confirmed through"), max_length=8, choices=DeliveryChannel.choices, blank=True
    )
    delivery_confirmed_by = models.CharField(_("received by"), max_length=200, blank=True)
    delivery_scanned = models.JSONField(_("SSCCs scanned at receipt"), default=list, blank=True)

    class Meta:
        verbose_name = _("shipment order")
        verbose_name_plural = _("shipment orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="shipment_number")
        ]
        permissions = [
            ("release_shipmentorder", _("Can release shipment orders")),
            ("pick_shipmentorder", _("Can pick shipment orders")),
            ("pack_shipmentorder", _("Can pack shipment orders")),
            ("ship_shipmentorder", _("Can ship shipment orders")),
            ("confirm_delivery", _("Can record a customer's delivery confirmation")),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)


class ShipmentLine(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(ShipmentOrder, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="shipment_line_position"),
            models.UniqueConstraint(fields=["order", "item"], name="shipment_line_item"),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.position} {self.item.code} x {self.quantity}"


class Pick(models.Model):
    """One pick: a lot quantity or a unit taken from a stock location to the site's shipping
    location for an order line (the movement is `event`). A pick other than the first-expiry
    suggestion carries the picker's reason."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(ShipmentOrder, on_delete=models.PROTECT, related_name="picks")
    line = models.ForeignKey(ShipmentLine, on_delete=models.PROTECT, related_name="picks")
    object = models.ForeignKey(
        TraceObject, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot or unit")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("lot")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)
    source = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("picked from")
    )
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    suggested_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("FEFO lot")
    )
    deviation_reason = models.TextField(_("reason for not picking the FEFO lot"), blank=True)
    key = models.CharField(_("client key"), max_length=64, blank=True)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    picked_at = models.DateTimeField(_("picked"))
    # Put back to where it was picked from (an order cancelled, a wrong pick): the movement
    # back and why. A put-back pick no longer counts for its line.
    put_back_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    put_back_reason = models.TextField(_("reason for putting back"), blank=True)

    class Meta:
        verbose_name = _("pick")
        verbose_name_plural = _("picks")
        ordering = ["picked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "key"], condition=~Q(key=""), name="pick_key_once"
            )
        ]

    def __str__(self):
        return f"{self.order.number}: {self.object.identifier} x {self.quantity}"


class Package(models.Model):
    """A case or pallet packed for an order: a trace container with an SSCC, filled by a
    packing aggregation event. A case on a pallet names the pallet as `parent`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(ShipmentOrder, on_delete=models.PROTECT, related_name="packages")
    container = models.OneToOneField(Container, on_delete=models.PROTECT, related_name="+")
    sscc = models.CharField(_("SSCC"), max_length=18)
    kind = models.CharField(_("kind"), max_length=8, choices=PackageKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        related_name="children",
        verbose_name=_("on pallet"),
    )
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    packed_at = models.DateTimeField(_("packed"))

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["pk"]

    def __str__(self):
        return self.sscc


class PackageContent(models.Model):
    """A unit, or a lot quantity, in a case."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="contents")
    object = models.ForeignKey(TraceObject, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", null=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit of measure"), max_length=8)

    class Meta:
        ordering = ["package", "pk"]

    def __str__(self):
        return f"{self.package.sscc}: {self.object_id} x {self.quantity}"
