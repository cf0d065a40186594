from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import BilingualName, Organization, code_validator
from medtrace.partners.choices import ApprovedSourceStatus, CertificateKind, SupplierStatus
from medtrace.partners.expiry import expiry_of


class Supplier(BilingualName):
    """A company the plant buys from. Master data of the whole organization; its qualification
    `status` (with the `conditions` of a conditional approval) changes only through the
    qualification lifecycle (partners.workflows.SUPPLIER, services.qualification)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    status = models.CharField(
        _("qualification status"),
        max_length=16,
        choices=SupplierStatus.choices,
        default=SupplierStatus.PROSPECTIVE,
        editable=False,
    )
    conditions = models.TextField(_("conditions of approval"), blank=True, editable=False)
    conditions_due_on = models.DateField(_("conditions due"), null=True, blank=True, editable=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="supplier_code_unique")
        ]
        permissions = [
            ("evaluate_supplier", "Can start and conduct a supplier's evaluation"),
            ("approve_supplier", "Can approve, conditionally approve and disqualify a supplier"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def certificate_expiry(self):
        """How the supplier's last required certificate stands, on a list annotated by
        readiness.with_required_certificate_end."""
        return expiry_of(getattr(self, "certified_until", None))


class SupplierCertificate(models.Model):
    """A certificate or licence of a supplier (ISO 13485, 营业执照, 生产许可证, 注册证), with
    its validity; the scanned document is optional."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("supplier"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"))
    file = models.FileField(_("document"), upload_to="partners/certificates/%Y/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier certificate")
        verbose_name_plural = _("supplier certificates")
        ordering = ["supplier_id", "valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_from__lte=F("valid_until")),
                name="supplier_certificate_valid_from_before_until",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def expiry(self):
        return expiry_of(self.valid_until)


class ApprovedSource(models.Model):
    """A supplier approved (or conditionally approved) to supply one item: the approved
    supplier list (ISO 13485 7.4.1) row by row."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="approved_sources",
        verbose_name=_("supplier"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="approved_sources", verbose_name=_("item")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApprovedSourceStatus.choices,
        default=ApprovedSourceStatus.APPROVED,
    )
    since = models.DateField(_("approved since"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("approved source")
        verbose_name_plural = _("approved sources")
        ordering = ["supplier_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "item"], name="approved_source_unique")
        ]

    def __str__(self):
        return f"{self.supplier.code} → {self.item.code}"
