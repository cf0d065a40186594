"""The partners' choices: a supplier's qualification, its certificates, approved sources and
the kinds of customer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplierStatus(models.TextChoices):
    PROSPECTIVE = "prospective", _("Prospective")
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Conditionally approved")
    DISQUALIFIED = "disqualified", _("Disqualified")


# Only these suppliers may be an approved source of an item.
SOURCING_STATUSES = frozenset({SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL})


class CertificateKind(models.TextChoices):
    ISO_13485 = "iso13485", _("ISO 13485 certificate")
    BUSINESS_LICENCE = "business_licence", _("Business licence (营业执照)")
    PRODUCTION_LICENCE = "production_licence", _("Production licence (生产许可证)")
    REGISTRATION = "registration", _("Registration certificate (注册证)")
    OTHER = "other", _("Other")


class ApprovedSourceStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Conditional")


class CustomerKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    DISTRIBUTOR = "distributor", _("Distributor")
    CLINIC = "clinic", _("Clinic")


class Expiry(models.TextChoices):
    """How a dated document stands today (the badge on the pages)."""

    VALID = "valid", _("valid")
    EXPIRING = "expiring", _("expiring")
    EXPIRED = "expired", _("expired")


EXPIRY_WARNING_DAYS = 60
