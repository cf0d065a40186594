"""Calibration records and the review of what an out-of-tolerance instrument may have touched.

A calibration record is drafted, then signed by the person verifying it (meaning verified):
from then on it is immutable and counts in the equipment's calibration history; a mistake is
corrected by a new record that names the one it corrects and why. A failed calibration opens
an impact review: the lots and operations that used the equipment since its last passing
calibration, concluded by QA's signature."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.equipment.choices import CalibrationResult, CalibrationStatus, ImpactReviewStatus
from medtrace.equipment.models.equipment import Equipment
from medtrace.org.models import Organization, Site


class CalibrationRecord(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="calibrations",
        verbose_name=_("equipment"),
    )  # fmt: skip
    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CalibrationStatus.choices,
        default=CalibrationStatus.DRAFT, editable=False,
    )  # fmt: skip
    performed_on = models.DateField(_("performed on"))
    # Who calibrated: one of ours, or an external laboratory.
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("performed by"),
    )  # fmt: skip
    external_lab = models.CharField(_("external laboratory"), max_length=200, blank=True)
    reference_standard = models.CharField(_("reference standard used"), max_length=200)
    reference_certificate = models.CharField(
        _("certificate of the reference standard"), max_length=100, blank=True
    )
    traceability = models.CharField(
        _("traceability"), max_length=200,
        help_text=_("E.g. traceable to NIM through a CNAS-accredited laboratory (L1234)."),
    )  # fmt: skip
    as_found = models.TextField(_("as found"))
    as_left = models.TextField(_("as left"))
    # [{"point", "nominal", "tolerance", "as_found", "as_left", "unit"}], numbers as strings.
    readings = models.JSONField(_("measured values"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=CalibrationResult.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True)
    certificate = models.FileField(
        _("certificate"), upload_to="equipment/calibrations/%Y/", blank=True
    )
    next_due_on = models.DateField(_("next due"), null=True, blank=True, editable=False)
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
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("verified by"),
    )  # fmt: skip
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calibration record")
        verbose_name_plural = _("calibration records")
        ordering = ["-performed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="calibration_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["equipment", "status", "performed_on"], name="calibration_history")
        ]
        permissions = [("verify_calibrationrecord", "Can verify (sign) a calibration record")]

    def __str__(self):
        return f"{self.number} {self.equipment.code}"

    @property
    def performer(self) -> str:
        if self.performed_by_id:
            return self.performed_by.printed_name
        return self.external_lab

    @property
    def passed(self) -> bool:
        return self.result == CalibrationResult.PASS

    def signed_content(self) -> dict:
        """What the verifier signs: the whole finding (the status moves on after signing)."""
        return {
            "number": self.number,
            "equipment": self.equipment_id,
            "performed_on": self.performed_on,
            "performed_by": self.performed_by_id,
            "external_lab": self.external_lab,
            "reference_standard": self.reference_standard,
            "reference_certificate": self.reference_certificate,
            "traceability": self.traceability,
            "as_found": self.as_found,
            "as_left": self.as_left,
            "readings": self.readings,
            "result": self.result,
            "certificate_number": self.certificate_number,
            "certificate": self.certificate.name or "",
            "next_due_on": self.next_due_on,
            "corrects": self.corrects_id,
            "correction_reason": self.correction_reason,
        }


class ImpactReview(models.Model):
    """What a failed calibration may have touched: the lots and operations that used the
    equipment from the day of its last passing calibration to the day of the failure
    (calibration_selectors.impact_of). Concluded by a signed assessment (meaning approved)
    over the lots and inspections as they were listed then."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="impact_reviews",
        verbose_name=_("equipment"),
    )  # fmt: skip
    calibration = models.OneToOneField(
        CalibrationRecord, on_delete=models.PROTECT, related_name="impact_review",
        verbose_name=_("failed calibration"),
    )  # fmt: skip
    since_calibration = models.ForeignKey(
        CalibrationRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("last passing calibration"),
    )  # fmt: skip
    # From the start of the last pass's day to the end of the failure's day, in the site's
    # time zone; no start when the equipment never passed a calibration.
    window_start = models.DateTimeField(_("from"), null=True, blank=True)
    window_end = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=ImpactReviewStatus.choices,
        default=ImpactReviewStatus.OPEN, editable=False,
    )  # fmt: skip
    deviation = models.ForeignKey(
        "quality.Deviation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("deviation"),
    )  # fmt: skip
    nonconformance = models.ForeignKey(
        "quality.Nonconformance", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("nonconformance"),
    )  # fmt: skip
    assessment = models.TextField(_("impact assessment"), blank=True)
    # The lots and inspections (ids) the assessment was written over.
    assessed_lots = models.JSONField(_("lots assessed"), default=list, editable=False)
    assessed_inspections = models.JSONField(_("inspections assessed"), default=list, editable=False)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("impact review")
        verbose_name_plural = _("impact reviews")
        ordering = ["-opened_at", "-pk"]
        permissions = [("conclude_impactreview", "Can conclude an out-of-tolerance impact review")]

    def __str__(self):
        return str(_("Impact of %(calibration)s") % {"calibration": self.calibration.number})

    @property
    def number(self) -> str:
        return self.calibration.number

    def signed_content(self) -> dict:
        return {
            "calibration": self.calibration_id,
            "equipment": self.equipment_id,
            "window": [self.window_start, self.window_end],
            "assessment": self.assessment,
            "lots": self.assessed_lots,
            "inspections": self.assessed_inspections,
            "deviation": self.deviation_id,
            "nonconformance": self.nonconformance_id,
        }
