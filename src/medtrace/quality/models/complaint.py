from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.keys.fields import EncryptedTextField
from medtrace.org.models import Organization, Site
from medtrace.partners.models import Customer
from medtrace.quality.choices import (
    ComplaintChannel,
    ComplaintStatus,
    MarketRegion,
    PatientSex,
    ReportForm,
)
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.models.capa import Capa
from medtrace.quality.models.nonconformance import Nonconformance
from medtrace.trace.models import Lot, Unit

# Patient involvement: shown only to holders of quality.reveal_patient_data, masked for everyone
# else (pages, lists, API, exports) and kept out of the audit trail's values. The texts that
# identify a person (who complained and how to reach them, the patient's initials, the injury)
# are encrypted at rest (keys.fields); age, sex and whether a patient was involved stay in
# clear, since the reportability rules and the trend analysis select on them.
PERSONAL_FIELDS = ("complainant_name", "complainant_contact")
PATIENT_FIELDS = (
    "patient_involved",
    "patient_age",
    "patient_sex",
    "patient_initials",
    "injury_description",
)
# The facts the reportability decision rests on: frozen once the decision is signed (reopen
# the investigation to change them).
DECISION_FACTS = (
    "description",
    "event_date",
    "aware_on",
    "aware_time",
    "item",
    "lot",
    "unit",
    "outcomes",
    "regions",
    "remedial_action_needed",
    "occurred_outside_china",
    "expected_side_effect",
    *PATIENT_FIELDS,
    "investigation",
    "root_cause",
)


class Complaint(models.Model):
    """A complaint (ISO 13485 8.2.2) and, when it is one, an adverse event: who told us and
    how, the device (a lot and/or a serialized unit, found by scanning its UDI), what happened
    to whom, the investigation, and the reportability decision with the clocks of each market
    (quality.reportability). Its status moves only through the complaint workflow
    (quality.workflows.COMPLAINT)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        editable=False,
    )
    channel = models.CharField(_("received via"), max_length=16, choices=ComplaintChannel.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )  # fmt: skip
    complainant_name = EncryptedTextField(_("complainant"), max_length=200, blank=True)
    complainant_contact = EncryptedTextField(_("complainant contact"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    # The failure mode complaints are trended by; coded during the investigation, so not one
    # of the DECISION_FACTS.
    problem_code = models.CharField(
        _("device problem (IMDRF Annex A)"),
        max_length=8,
        choices=DeviceProblem.choices,
        blank=True,
    )
    event_date = models.DateField(_("event date"), null=True, blank=True)
    # The reporting clocks start on the day the organization became aware (day 0).
    aware_on = models.DateField(_("awareness date"))
    aware_time = models.TimeField(
        _("awareness time"),
        null=True,
        blank=True,
        help_text=_("In the site's time zone; the NMPA cluster clocks count hours from it."),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("item"),
    )  # fmt: skip
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("lot"),
    )  # fmt: skip
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("unit"),
    )  # fmt: skip
    scanned_code = models.CharField(_("identifier scanned"), max_length=300, blank=True)
    # reportability.Outcome values (EventOutcome) and Region values (MarketRegion).
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    regions = models.JSONField(_("marketed in"), default=list, blank=True)
    remedial_action_needed = models.BooleanField(_("remedial action needed"), default=False)
    occurred_outside_china = models.BooleanField(_("occurred outside China"), default=False)
    expected_side_effect = models.BooleanField(
        _("expected side-effect (documented and quantified)"), default=False
    )
    patient_involved = models.BooleanField(_("patient involved"), default=False)
    patient_age = models.PositiveSmallIntegerField(
        _("patient age"), null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    patient_sex = models.CharField(
        _("patient sex"), max_length=8, choices=PatientSex.choices, blank=True
    )
    patient_initials = EncryptedTextField(_("patient initials"), max_length=10, blank=True)
    injury_description = EncryptedTextField(_("injury"), blank=True)
    investigation = models.TextField(_("investigation"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    reportable = models.BooleanField(_("reportable"), null=True, blank=True, editable=False)
    decision_justification = models.TextField(
        _("decision justification"), blank=True, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    # The earliest individual report still to be drafted (None: none pending); kept by the
    # services so that lists sort and filter by it.
    report_due_on = models.DateField(_("report due"), null=True, blank=True, editable=False)
    nonconformance = models.ForeignKey(
        Nonconformance, on_delete=models.PROTECT, null=True, blank=True,
        related_name="complaints", verbose_name=_("nonconformance"),
    )  # fmt: skip
    capa = models.ForeignKey(
        Capa, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("CAPA"),
    )  # fmt: skip
    closure_letter = models.TextField(_("closure letter"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("received by"),
    )  # fmt: skip
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    # A complaint is a quality record: correcting it needs a reason (audit.services.record).
    audit_requires_reason = True

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="complaint_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="complaint_by_site_status"),
            models.Index(fields=["site", "report_due_on"], name="complaint_by_site_due"),
        ]
        permissions = [
            ("approve_complaint", "Can decide reportability, report and close a complaint"),
            ("reveal_patient_data", "Can see the personal data (complainant, patient)"),
        ]

    def __str__(self):
        # The number only: a title could carry patient details into the audit trail.
        return self.number

    def signed_content(self) -> dict:
        """What the reportability approval and the closure sign: the facts and the decision
        (the status, the links and the closure letter move on after signing)."""
        return {
            "number": self.number,
            "description": self.description,
            "event_date": self.event_date,
            "aware_on": self.aware_on,
            "aware_time": self.aware_time,
            "item": self.item_id,
            "lot": self.lot_id,
            "unit": self.unit_id,
            "outcomes": sorted(self.outcomes),
            "regions": sorted(self.regions),
            "remedial_action_needed": self.remedial_action_needed,
            "occurred_outside_china": self.occurred_outside_china,
            "expected_side_effect": self.expected_side_effect,
            **{name: getattr(self, name) for name in PATIENT_FIELDS},
            "investigation": self.investigation,
            "root_cause": self.root_cause,
            "reportable": self.reportable,
            "decision_justification": self.decision_justification,
        }


class ComplaintReport(models.Model):
    """A report draft generated from a complaint for one authority's form: which form, the
    rule and deadline it answers, who generated it and when, and the field values as printed
    (the PDF is rendered again from them, identically, on each download)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="reports", verbose_name=_("complaint")
    )
    form = models.CharField(_("form"), max_length=12, choices=ReportForm.choices)
    region = models.CharField(_("region"), max_length=8, choices=MarketRegion.choices)
    sequence = models.PositiveSmallIntegerField(_("draft"), editable=False)
    rule_id = models.CharField(_("rule"), max_length=40)
    citation = models.CharField(_("citation"), max_length=200)
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_at = models.DateTimeField(_("due (time)"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=dict)
    content_hash = models.CharField(_("content hash"), max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("generated by"),
    )  # fmt: skip
    generated_at = models.DateTimeField(_("generated"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint report draft")
        verbose_name_plural = _("complaint report drafts")
        ordering = ["generated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "form", "sequence"], name="complaint_report_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.complaint.number} {self.get_form_display()} #{self.sequence}"
