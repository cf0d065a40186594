from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import EquipmentStatus, EquipmentType
from medtrace.org.models import BilingualName, Location, Organization, Site, code_validator

READ_POINT_PREFIX = "urn:medtrace:equipment:"


def read_point_of(site_code: str, code: str) -> str:
    return f"{READ_POINT_PREFIX}{site_code}:{code}"


class Equipment(BilingualName):
    """A machine, station or measuring instrument at one site. Its status changes only through
    services.change_equipment_status; its calibration due date is computed by the services from
    the last calibration and the interval."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("site")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    equipment_type = models.CharField(_("type"), max_length=24, choices=EquipmentType.choices)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EquipmentStatus.choices,
        default=EquipmentStatus.IN_SERVICE,
        editable=False,
    )
    calibration_required = models.BooleanField(_("calibration required"), default=False)
    calibration_interval_days = models.PositiveIntegerField(
        _("calibration interval (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    last_calibrated_on = models.DateField(_("last calibrated on"), null=True, blank=True)
    calibration_due_on = models.DateField(
        _("calibration due"), null=True, blank=True, editable=False
    )
    maintenance_plan = models.TextField(_("maintenance plan"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["site__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="equipment_code_unique_per_site")
        ]
        indexes = [models.Index(fields=["site", "calibration_due_on"], name="equipment_due_idx")]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def read_point(self) -> str:
        """The EPCIS read point of the events this equipment takes part in (the trace names
        its locations the same way: urn:medtrace:location:<site>:<code>)."""
        return read_point_of(self.site.code, self.code)

    def is_calibration_overdue(self, today) -> bool:
        return (
            self.calibration_required
            and self.status != EquipmentStatus.RETIRED
            and self.calibration_due_on is not None
            and self.calibration_due_on < today
        )
