"""Maintenance plans (a task every N days) and the records of maintenance done, preventive or
corrective. A record is never edited: a mistake is corrected by a new record naming it."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import MaintenanceKind, MaintenanceResult
from medtrace.equipment.models.equipment import Equipment
from medtrace.org.models import Organization, Site


class MaintenancePlan(models.Model):
    """A recurring task; its next due date follows from the last time it was done (services
    only)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="maintenance_plans",
        verbose_name=_("equipment"),
    )  # fmt: skip
    task = models.CharField(_("task"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    interval_days = models.PositiveIntegerField(
        _("interval (days)"), validators=[MinValueValidator(1)]
    )
    last_done_on = models.DateField(_("last done"), null=True, blank=True, editable=False)
    next_due_on = models.DateField(_("next due"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["next_due_on", "pk"]
        indexes = [models.Index(fields=["site", "active", "next_due_on"], name="maintenance_due")]

    def __str__(self):
        return f"{self.equipment.code}: {self.task}"

    def is_overdue(self, today) -> bool:
        return self.active and self.next_due_on < today


class MaintenanceRecord(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="maintenance_records",
        verbose_name=_("equipment"),
    )  # fmt: skip
    number = models.CharField(_("number"), max_length=20, editable=False)
    plan = models.ForeignKey(
        MaintenancePlan, on_delete=models.PROTECT, null=True, blank=True,
        related_name="records", verbose_name=_("plan"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12, choices=MaintenanceKind.choices)
    performed_on = models.DateField(_("performed on"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("performed by"),
    )  # fmt: skip
    external_party = models.CharField(_("service company"), max_length=200, blank=True)
    work_done = models.TextField(_("work done"))
    parts = models.TextField(_("parts used"), blank=True)
    result = models.CharField(_("result"), max_length=12, choices=MaintenanceResult.choices)
    returned_to_service = models.BooleanField(_("returned to service"), default=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
        verbose_name=_("corrects"),
    )  # fmt: skip
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        ordering = ["-performed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="maintenance_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.number} {self.equipment.code}"

    @property
    def performer(self) -> str:
        if self.performed_by_id:
            return self.performed_by.printed_name
        return self.external_party
