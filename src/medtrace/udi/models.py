"""What the UDI databases know of the maker (the registrant) and what was sent to them: each
submission keeps the exact file, and per device the fingerprint of the values it carried, so
"changed since the last submission" is a comparison, not a guess."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import DeviceIdentifier
from medtrace.org.models import Organization
from medtrace.udi.choices import STATUS_BADGE, Database, SubmissionStatus

duns_validator = RegexValidator(r"^[0-9]{9}$", _("A DUNS number has nine digits."))
uscc_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("A unified social credit code (统一社会信用代码) has 18 characters, as on the licence."),
)
manufacturer_srn_validator = RegexValidator(
    r"^[A-Z]{2}-MF-[0-9]{9}$", _("A manufacturer's SRN looks like CN-MF-000012345.")
)
representative_srn_validator = RegexValidator(
    r"^[A-Z]{2}-AR-[0-9]{9}$", _("An authorised representative's SRN looks like DE-AR-000001234.")
)
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter country code, e.g. CN."))


class Registrant(models.Model):
    """The maker as the UDI databases know it (注册人/备案人, labeler, manufacturer): one per
    organization, kept by regulatory affairs."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="udi_registrant"
    )
    legal_name = models.CharField(
        _("legal name"), max_length=200, help_text=_("As on the registration certificate.")
    )
    legal_name_en = models.CharField(_("legal name in English"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True, help_text=_("As on the label."))
    country = models.CharField(
        _("country"), max_length=2, default="CN", validators=[country_validator]
    )
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[uscc_validator]
    )
    duns_number = models.CharField(
        _("DUNS number"), max_length=9, blank=True, validators=[duns_validator]
    )
    eu_srn = models.CharField(
        _("EU single registration number (SRN)"),
        max_length=20,
        blank=True,
        validators=[manufacturer_srn_validator],
    )
    eu_representative = models.CharField(
        _("EU authorised representative"), max_length=200, blank=True
    )
    eu_representative_srn = models.CharField(
        _("authorised representative's SRN"),
        max_length=20,
        blank=True,
        validators=[representative_srn_validator],
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("UDI registrant")
        verbose_name_plural = _("UDI registrants")

    def __str__(self):
        return self.legal_name


class Submission(models.Model):
    """One file prepared for one database. It is *submitted* once someone uploaded it and the
    database accepted it (with the acknowledgement they got), or *rejected* with the reason;
    only a submitted one is the baseline for what changed since."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    database = models.CharField(_("database"), max_length=16, choices=Database.choices)
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.PREPARED,
    )
    file_name = models.CharField(_("file"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    prepared_at = models.DateTimeField(_("prepared"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )
    reference = models.CharField(
        _("acknowledgement"),
        max_length=200,
        blank=True,
        help_text=_("The database's receipt: a submission ID, a batch number, a core ID."),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("UDI submission")
        verbose_name_plural = _("UDI submissions")
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "database", "number"], name="udi_submission_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_database_display()} #{self.number}"

    @property
    def badge(self) -> str:
        return STATUS_BADGE[self.status]


class SubmissionRecord(models.Model):
    """One device (its base-unit DI with its packages) in a submission, and the fingerprint of
    the values the file carried for it."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="records")
    device_identifier = models.ForeignKey(
        DeviceIdentifier, on_delete=models.PROTECT, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    versions = models.JSONField(default=dict)  # {DI value: its version at the time}
    first_submission = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "device_identifier"], name="udi_submission_record_unique"
            )
        ]

    def __str__(self):
        return f"{self.submission} · {self.device_identifier}"
