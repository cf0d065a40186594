from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import BilingualName, Organization, code_validator
from medtrace.partners.choices import CustomerKind
from medtrace.partners.expiry import expiry_of
from medtrace.scan.checks import gs1_check_digit_ok


def validate_gln(value: str) -> None:
    """A GS1 Global Location Number: 13 digits, the last a valid check digit."""
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(_("A GLN has 13 digits."), code="gln_length")
    if not gs1_check_digit_ok(value):
        raise ValidationError(
            _("The check digit of GLN %(gln)s is wrong."), code="gln_check", params={"gln": value}
        )


class Customer(BilingualName):
    """A hospital, clinic or distributor the plant ships to. Under China's GSP (首营资质) a
    customer's licence must be valid when goods are sold to it; `licence_valid_until` is shown
    as a red badge once past."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices)
    address = models.TextField(_("address"), blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(
        _("e-mail"), blank=True, help_text=_("Where recall notices and advisories are sent.")
    )
    language = models.CharField(
        _("language of correspondence"), max_length=8, choices=settings.LANGUAGES,
        default="zh-hans",
    )  # fmt: skip
    gln = models.CharField(
        _("GLN"),
        max_length=13,
        blank=True,
        validators=[validate_gln],
        help_text=_("GS1 Global Location Number, 13 digits (optional)."),
    )
    licence_number = models.CharField(
        _("licence number"),
        max_length=100,
        blank=True,
        help_text=_("医疗机构执业许可证 or 医疗器械经营许可证 number."),
    )
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="customer_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def licence_expiry(self):
        return expiry_of(self.licence_valid_until)
