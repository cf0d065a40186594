from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import (
    IssuingAgency,
    MriSafety,
    PackagingLevel,
    RiskClassCN,
    RiskClassEU,
    RiskClassUS,
    SterilizationMethod,
)
from medtrace.catalog.models.items import Item
from medtrace.org.models import Organization

gmdn_validator = RegexValidator(r"^[0-9]{5}$", _("A GMDN term code has five digits."))
fda_product_code_validator = RegexValidator(
    r"^[A-Z]{3}$", _("An FDA product code is three capital letters, e.g. FPA.")
)
fda_premarket_validator = RegexValidator(
    r"^(K|P|H|N|DEN|BK|BP|BN)[0-9]{5,6}(/S[0-9]{3})?$",
    _("Use the FDA submission number as issued, e.g. K213456, P200012/S004 or DEN190040."),
)
emdn_validator = RegexValidator(
    r"^[A-Z]([0-9]{2}){0,7}$", _("An EMDN code is a letter and pairs of digits, e.g. C0104.")
)
insurance_code_validator = RegexValidator(
    r"^C[0-9A-Z]{19}$",
    _("A medical-insurance consumable code (医保医用耗材代码) has 20 characters, starting with C."),
)
nmpa_class_code_validator = RegexValidator(
    r"^[0-9]{2}(-[0-9]{2}){0,2}$",
    _("Use the code of the NMPA classification catalogue, e.g. 14-02-01."),
)


class DeviceIdentifier(models.Model):
    """A UDI-DI: the code that identifies one version or model of a device at one packaging
    level, with the attributes the UDI databases (GUDID, NMPA UDID, EUDAMED) hold for it.

    Packages form a tree per item: a package DI names the DI it `contains` (the level below)
    and how many of it (`quantity_per_package`); base units contain nothing. Every change is
    kept as a DeviceIdentifierVersion; the attributes whose change needs a new DI are in
    services.NEW_DI_FIELDS.

    Risk class is one field per jurisdiction, since one device carries a class in each market
    it is sold in (docs/decisions/0002-catalog-device-identifiers.md)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="device_identifiers", verbose_name=_("item")
    )
    issuing_agency = models.CharField(
        _("issuing agency"), max_length=8, choices=IssuingAgency.choices
    )
    value = models.CharField(_("device identifier"), max_length=64)
    packaging_level = models.CharField(
        _("packaging level"),
        max_length=16,
        choices=PackagingLevel.choices,
        default=PackagingLevel.BASE_UNIT,
    )
    contains = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("contains"),
        help_text=_("The device identifier of the packaging level inside this one."),
    )
    quantity_per_package = models.PositiveIntegerField(
        _("quantity per package"), default=1, validators=[MinValueValidator(1)]
    )
    basic_udi_di = models.CharField(_("Basic UDI-DI"), max_length=60, blank=True)
    brand = models.CharField(_("brand name"), max_length=200)
    model_number = models.CharField(_("model / version"), max_length=100)
    registration_number = models.CharField(
        _("registration certificate number"),
        max_length=100,
        blank=True,
        help_text=_("NMPA 注册证号 or 备案号, e.g. 国械注准20213140123."),
    )
    risk_class_cn = models.CharField(
        _("NMPA class"), max_length=4, choices=RiskClassCN.choices, blank=True
    )
    risk_class_eu = models.CharField(
        _("EU MDR class"), max_length=4, choices=RiskClassEU.choices, blank=True
    )
    risk_class_us = models.CharField(
        _("FDA class"), max_length=4, choices=RiskClassUS.choices, blank=True
    )
    gmdn_code = models.CharField(
        _("GMDN code"), max_length=5, blank=True, validators=[gmdn_validator]
    )
    nmpa_classification_code = models.CharField(
        _("NMPA classification code"),
        max_length=20,
        blank=True,
        validators=[nmpa_class_code_validator],
    )
    sterile = models.BooleanField(_("packaged sterile"), default=False)
    sterilization_method = models.CharField(
        _("sterilization method"),
        max_length=16,
        choices=SterilizationMethod.choices,
        default=SterilizationMethod.NONE,
    )
    single_use = models.BooleanField(_("single use"), default=True)
    mri_safety = models.CharField(
        _("MRI safety"), max_length=16, choices=MriSafety.choices, default=MriSafety.NOT_LABELLED
    )
    contains_latex = models.BooleanField(_("contains natural rubber latex"), default=False)
    prescription = models.BooleanField(_("prescription use (Rx)"), default=True)
    description = models.TextField(
        _("device description"),
        blank=True,
        help_text=_("What the device is, as the UDI databases publish it (GUDID, NMPA, EUDAMED)."),
    )
    catalog_number = models.CharField(_("catalogue / reference number"), max_length=100, blank=True)
    kit = models.BooleanField(_("kit"), default=False)
    combination_product = models.BooleanField(_("combination product"), default=False)
    implantable = models.BooleanField(_("implantable"), default=False)
    active_device = models.BooleanField(_("active device"), default=False)
    measuring_function = models.BooleanField(_("has a measuring function"), default=False)
    direct_marking = models.BooleanField(
        _("UDI marked directly on the device"),
        default=False,
        help_text=_("A reusable device that is reprocessed carries its UDI on itself."),
    )
    sterilize_before_use = models.BooleanField(_("to be sterilized before use"), default=False)
    max_reuses = models.PositiveIntegerField(
        _("maximum number of reuses"),
        null=True,
        blank=True,
        help_text=_("For a reusable device, if its labelling limits the reuses."),
    )
    eifu_url = models.URLField(_("electronic instructions for use (URL)"), blank=True)
    fda_product_code = models.CharField(
        _("FDA product code"), max_length=3, blank=True, validators=[fda_product_code_validator]
    )
    fda_premarket_number = models.CharField(
        _("FDA premarket submission number"),
        max_length=20,
        blank=True,
        validators=[fda_premarket_validator],
    )
    fda_premarket_exempt = models.BooleanField(
        _("exempt from FDA premarket authorization"), default=False
    )
    emdn_code = models.CharField(
        _("EMDN code"), max_length=16, blank=True, validators=[emdn_validator]
    )
    insurance_code_cn = models.CharField(
        _("China medical-insurance consumable code"),
        max_length=20,
        blank=True,
        validators=[insurance_code_validator],
        help_text=_("医保医用耗材分类与代码, where the device has one (NMPA UDID asks for it)."),
    )
    label_has_lot = models.BooleanField(_("label carries the lot"), default=True)
    label_has_serial = models.BooleanField(_("label carries the serial number"), default=False)
    label_has_expiry = models.BooleanField(_("label carries the expiry date"), default=True)
    label_has_manufacturing_date = models.BooleanField(
        _("label carries the manufacturing date"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # A DI is a regulatory record: correcting it needs a reason (audit.services.record).
    audit_requires_reason = True

    class Meta:
        verbose_name = _("device identifier")
        verbose_name_plural = _("device identifiers")
        ordering = ["item_id", "packaging_level", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "value"], name="device_identifier_value_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(packaging_level=PackagingLevel.BASE_UNIT)
                    & Q(contains__isnull=True)
                    & Q(quantity_per_package=1)
                )
                | (~Q(packaging_level=PackagingLevel.BASE_UNIT) & Q(contains__isnull=False)),
                name="device_identifier_package_contains_a_level_below",
            ),
        ]

    def __str__(self):
        return f"{self.issuing_agency} {self.value}"

    @property
    def production_identifiers_on_label(self) -> list[str]:
        """What a scan of this package's label must carry besides the DI (the UDI-PI)."""
        flags = [
            (self.label_has_lot, _("lot")),
            (self.label_has_serial, _("serial number")),
            (self.label_has_expiry, _("expiry date")),
            (self.label_has_manufacturing_date, _("manufacturing date")),
        ]
        return [str(name) for present, name in flags if present]

    @property
    def device_kind_flags(self) -> list[tuple[str, str]]:
        """The yes/no kinds the databases ask about that are yes for this device."""
        names = (
            "kit",
            "combination_product",
            "implantable",
            "active_device",
            "measuring_function",
            "direct_marking",
        )
        return [
            (name, str(self._meta.get_field(name).verbose_name))
            for name in names
            if getattr(self, name)
        ]


class DeviceIdentifierVersion(models.Model):
    """One state of a device identifier as it was saved: written with every change, never
    edited or deleted, so what the DI said on any day can be shown to an inspector."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    device_identifier = models.ForeignKey(
        DeviceIdentifier,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("device identifier"),
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("attributes"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("device identifier version")
        verbose_name_plural = _("device identifier versions")
        ordering = ["device_identifier_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_identifier", "number"], name="device_identifier_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.device_identifier} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A device identifier version is never changed; write a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A device identifier version is never deleted.")
