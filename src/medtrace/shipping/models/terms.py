"""Shipping master data owned here: a customer's minimum remaining shelf life and the SSCC
series the plant allocates its logistic units from."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization
from medtrace.partners.models import Customer


class CustomerShippingTerms(models.Model):
    """What a customer accepts: goods with at least this many days of shelf life left on the
    day they are picked and shipped (a hospital's 仓储验收 rule, a distributor's contract)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    customer = models.OneToOneField(
        Customer,
        on_delete=models.PROTECT,
        related_name="shipping_terms",
        verbose_name=_("customer"),
    )
    min_remaining_shelf_life_days = models.PositiveIntegerField(
        _("minimum remaining shelf life (days)"), default=0
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("customer shipping terms")
        verbose_name_plural = _("customer shipping terms")

    def __str__(self):
        return f"{self.customer.code}: {self.min_remaining_shelf_life_days} d"


class SsccSeries(models.Model):
    """Where the plant's SSCCs come from: extension digit + GS1 company prefix + serial
    reference (17 digits together) + check digit. Each allocation takes the next serial
    reference under a row lock."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    gs1_company_prefix = models.CharField(
        _("GS1 company prefix"),
        max_length=12,
        validators=[RegexValidator(r"^\d{6,12}$", _("6 to 12 digits."))],
    )
    extension_digit = models.CharField(
        _("extension digit"),
        max_length=1,
        validators=[RegexValidator(r"^\d$", _("One digit."))],
    )
    next_serial_reference = models.PositiveBigIntegerField(_("next serial reference"), default=1)

    class Meta:
        verbose_name = _("SSCC series")
        verbose_name_plural = _("SSCC series")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "gs1_company_prefix", "extension_digit"],
                name="sscc_series_unique",
            )
        ]

    def __str__(self):
        return f"({self.extension_digit}) {self.gs1_company_prefix}"

    @property
    def serial_digits(self) -> int:
        return 16 - len(self.gs1_company_prefix)
