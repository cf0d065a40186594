from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.equipment.models import Equipment
from medtrace.org.models import Organization, Site
from medtrace.partners.models import Supplier
from medtrace.quality.choices import Decision, NcrSource, NcrStatus, Severity
from medtrace.trace.models import Lot, TraceEvent

POSITIVE = [MinValueValidator(Decimal("0.000001"))]


class Nonconformance(models.Model):
    """A nonconformance report (NCR). Its status moves only through the NCR workflow
    (quality.workflows.NCR); what it is linked to is filled in by the services from the lot
    (item, supplier, supplier lot) and the equipment (its calibration state at the time)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="nonconformances", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=16, choices=NcrSource.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NcrStatus.choices,
        default=NcrStatus.OPEN,
        editable=False,
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("item"),
    )  # fmt: skip
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformances",
        verbose_name=_("lot"),
    )  # fmt: skip
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=6, null=True, blank=True,
        validators=POSITIVE,
    )  # fmt: skip
    uom = models.CharField(_("unit of measure"), max_length=8, blank=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("supplier"),
    )  # fmt: skip
    supplier_lot_number = models.CharField(_("supplier lot number"), max_length=40, blank=True)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("equipment"),
    )  # fmt: skip
    # The equipment's state when the NCR was opened: later calibrations must not rewrite it.
    equipment_status = models.CharField(_("equipment status"), max_length=16, blank=True)
    equipment_calibration_due_on = models.DateField(
        _("equipment calibration due"), null=True, blank=True
    )
    inspection = models.ForeignKey(
        "quality.InspectionRecord", on_delete=models.PROTECT, null=True, blank=True,
        related_name="nonconformances", verbose_name=_("inspection"),
    )  # fmt: skip
    hold_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("hold event"),
    )  # fmt: skip
    due_on = models.DateField(_("due"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("opened by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("nonconformance")
        verbose_name_plural = _("nonconformances")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="ncr_number_unique")
        ]
        indexes = [models.Index(fields=["site", "status"], name="ncr_by_site_status")]
        permissions = [
            ("review_nonconformance", "Can review a nonconformance and record dispositions"),
            ("approve_nonconformance", "Can approve the dispositions of a nonconformance"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def signed_content(self) -> dict:
        """What a disposition approval or a closure signs: the finding and its decisions
        (the status moves on after signing)."""
        return {
            "number": self.number,
            "title": self.title,
            "description": self.description,
            "severity": self.severity,
            "lot": self.lot_id,
            "quantity": self.quantity,
            "uom": self.uom,
            "dispositions": [
                [row.decision, row.quantity, row.justification]
                for row in self.dispositions.order_by("pk")
            ],
        }


class Disposition(models.Model):
    """A material review board decision on part of the nonconforming quantity."""

    nonconformance = models.ForeignKey(
        Nonconformance, on_delete=models.PROTECT, related_name="dispositions"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=6, validators=POSITIVE
    )
    justification = models.TextField(_("justification"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    # Carried out once approved: what was done, and the trace event of a lot returned or
    # scrapped.
    execution_note = models.TextField(_("how it was carried out"), blank=True)
    executed_at = models.DateTimeField(_("carried out"), null=True, blank=True, editable=False)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("trace event"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_decision_display()} {self.quantity}"
