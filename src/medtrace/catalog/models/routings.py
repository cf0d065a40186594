"""Routings: the operations that make a product, in order, each with the work center, the
type of equipment it needs, the process parameters to record against their limits, and the
inspection plan that checks it. Versioned like BOMs (ProductVersion)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models.versions import ProductVersion
from medtrace.core.numbers import plain
from medtrace.equipment.choices import EquipmentType


class Routing(ProductVersion):
    class Meta(ProductVersion.Meta):
        verbose_name = _("routing")
        verbose_name_plural = _("routings")

    def __str__(self):
        return f"Routing {self.item.code} v{self.version}"

    def content(self) -> list[dict]:
        return [
            operation.content()
            for operation in self.operations.prefetch_related("parameters").order_by("position")
        ]

    def signed_content(self) -> dict:
        """What an approval signs: the product, the version, every operation and parameter."""
        return {"item": self.item.code, "version": self.version, "operations": self.content()}


class RoutingOperation(models.Model):
    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="operations")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("operation"), max_length=100)
    work_center = models.CharField(_("work center"), max_length=32, blank=True)
    equipment_type = models.CharField(
        _("equipment type"), max_length=24, choices=EquipmentType.choices, blank=True
    )
    inspection_plan = models.CharField(
        _("inspection plan"),
        max_length=32,
        blank=True,
        help_text=_("The number of the inspection plan that checks this operation."),
    )
    instructions = models.TextField(_("instructions"), blank=True)
    # Numbers of the controlled documents (SOP, work instruction) whoever performs the
    # operation must be trained on: production asks training.can_perform before recording it.
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    per_unit = models.BooleanField(
        _("components per serial"),
        default=False,
        help_text=_(
            "Components consumed during this operation are recorded against each serialized "
            "unit they go into (unit-level genealogy), not against the lot."
        ),
    )

    class Meta:
        verbose_name = _("routing operation")
        verbose_name_plural = _("routing operations")
        ordering = ["routing_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["routing", "position"], name="routing_operation_position_unique"
            ),
            models.UniqueConstraint(
                fields=["routing", "name"], name="routing_operation_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.position} {self.name}"

    def content(self) -> dict:
        return {
            "position": self.position,
            "name": self.name,
            "work_center": self.work_center,
            "equipment_type": self.equipment_type,
            "inspection_plan": self.inspection_plan,
            "instructions": self.instructions,
            "documents": self.documents,
            "per_unit": self.per_unit,
            "parameters": [parameter.content() for parameter in self.parameters.all()],
        }


class ProcessParameterSpec(models.Model):
    """A value recorded at the operation (e.g. melt temperature in °C) and the limits it must
    stay within; a reading outside them will open a deviation."""

    operation = models.ForeignKey(
        RoutingOperation, on_delete=models.CASCADE, related_name="parameters"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("parameter"), max_length=100)
    unit = models.CharField(_("unit"), max_length=16)
    lower_limit = models.DecimalField(
        _("lower limit"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    upper_limit = models.DecimalField(
        _("upper limit"), max_digits=14, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("process parameter")
        verbose_name_plural = _("process parameters")
        ordering = ["operation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "name"], name="parameter_name_unique"),
            models.CheckConstraint(
                condition=Q(lower_limit__isnull=False) | Q(upper_limit__isnull=False),
                name="parameter_has_a_limit",
            ),
            models.CheckConstraint(
                condition=Q(lower_limit__isnull=True)
                | Q(upper_limit__isnull=True)
                | Q(lower_limit__lte=models.F("upper_limit")),
                name="parameter_limits_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.name} [{self.unit}]"

    def content(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "lower_limit": plain(self.lower_limit),
            "target": plain(self.target),
            "upper_limit": plain(self.upper_limit),
        }
