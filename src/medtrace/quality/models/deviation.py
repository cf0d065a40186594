from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.equipment.models import Equipment
from medtrace.org.models import Organization, Site
from medtrace.quality.choices import DeviationKind, DeviationStatus, RiskLevel
from medtrace.trace.models import Lot


class Deviation(models.Model):
    """A departure from an approved procedure or specification, planned (approved before it
    happens) or unplanned (found afterwards). The lots in its scope cannot be released while it
    is open or approved but not closed (services.deviation.blocking_release)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=DeviationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeviationStatus.choices,
        default=DeviationStatus.OPEN,
        editable=False,
    )
    lots = models.ManyToManyField(
        Lot, blank=True, related_name="deviations", verbose_name=_("lots")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("equipment"),
    )  # fmt: skip
    operation = models.CharField(_("operation"), max_length=100, blank=True)
    window_start = models.DateTimeField(_("from"), null=True, blank=True)
    window_end = models.DateTimeField(_("until"), null=True, blank=True)
    impact_assessment = models.TextField(_("impact assessment"), blank=True)
    risk_level = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices, blank=True)
    closure_summary = models.TextField(_("closure summary"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("opened by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="deviation_number_unique"
            )
        ]
        permissions = [("approve_deviation", "Can approve and close a deviation")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def signed_content(self) -> dict:
        return {
            "number": self.number,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "lots": sorted(self.lots.values_list("pk", flat=True)),
            "equipment": self.equipment_id,
            "operation": self.operation,
            "window": [self.window_start, self.window_end],
            "impact_assessment": self.impact_assessment,
            "risk_level": self.risk_level,
        }

    def signed_content_for(self, meaning) -> dict:
        """The approval covers the scope and the assessment; the closure (verified) also how
        it ended."""
        content = self.signed_content()
        if meaning == SignatureMeaning.VERIFIED:
            content["closure_summary"] = self.closure_summary
        return content
