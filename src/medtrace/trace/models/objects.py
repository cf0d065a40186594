"""What is traced. Every lot, unit and container is a TraceObject (multi-table inheritance),
so genealogy, containment and consignments point at one table and the trace engine walks
integer ids. `identifier` is the object's canonical URI: the GS1 Digital Link form
(https://id.gs1.org/01/<gtin>/10/<lot>, /01/<gtin>/21/<serial>, /00/<sscc>) when it has GS1
keys, `urn:medtrace:...` otherwise (see trace.identifiers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.partners.models import Customer, Supplier
from medtrace.trace.choices import ContainerKind, LotOrigin, ObjectKind


class TraceObject(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ObjectKind.choices, editable=False)
    identifier = models.CharField(_("identifier"), max_length=300)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("site"),
    )
    # Derived from the events (trace.services.derivation), never edited by hand.
    disposition = models.CharField(_("disposition"), max_length=200, blank=True, editable=False)
    biz_location = models.CharField(
        _("business location"), max_length=300, blank=True, editable=False
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("location"),
    )
    last_event_time = models.DateTimeField(_("last event"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("traced object")
        verbose_name_plural = _("traced objects")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"], name="trace_object_identifier_unique"
            )
        ]

    def __str__(self):
        return self.identifier


class Lot(TraceObject):
    traceobject_ptr = models.OneToOneField(
        TraceObject,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_lot",
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("item")
    )
    lot_number = models.CharField(_("lot number"), max_length=20)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=LotOrigin.choices, default=LotOrigin.UNKNOWN
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="lots",
        null=True,
        blank=True,
        verbose_name=_("supplier"),
    )
    supplier_lot_number = models.CharField(_("supplier lot number"), max_length=40, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["item", "lot_number"], name="lot_number_unique")
        ]

    def __str__(self):
        return f"{self.item.code} {self.lot_number}"


class Unit(TraceObject):
    traceobject_ptr = models.OneToOneField(
        TraceObject,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_unit",
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="units", verbose_name=_("item")
    )
    serial = models.CharField(_("serial number"), max_length=20)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        related_name="units",
        null=True,
        blank=True,
        verbose_name=_("lot"),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["item", "serial"], name="unit_serial_unique")
        ]

    def __str__(self):
        return f"{self.item.code} SN {self.serial}"


class Container(TraceObject):
    traceobject_ptr = models.OneToOneField(
        TraceObject,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_container",
    )
    sscc = models.CharField(_("SSCC"), max_length=18, blank=True)
    container_kind = models.CharField(
        _("container kind"),
        max_length=10,
        choices=ContainerKind.choices,
        default=ContainerKind.CASE,
    )

    class Meta:
        verbose_name = _("container")
        verbose_name_plural = _("containers")

    def __str__(self):
        return f"SSCC {self.sscc}" if self.sscc else self.identifier


class Party(models.Model):
    """A source or destination of goods as EPCIS names it (a GLN's Digital Link
    https://id.gs1.org/417/<gln>, or another URI), tied to our customer or supplier when
    known."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("identifier"), max_length=300)
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("supplier"),
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"], name="party_identifier_unique"
            )
        ]

    def __str__(self):
        return self.name or self.identifier
