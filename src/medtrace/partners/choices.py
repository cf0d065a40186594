"""The partners' choices: a supplier's qualification (lifecycle, evaluation, audits), its
certificates, approved sources and the kinds of customer."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplierStatus(models.TextChoices):
    PROSPECTIVE = "prospective", _("Prospective")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
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


# A supplier needs one of these, valid, to be approved (ISO 13485 7.4.1; 医疗器械生产质量管理规范
# 第七章): the nightly certificate check makes an approved supplier conditional once the last
# of them has expired.
REQUIRED_CERTIFICATES = frozenset({CertificateKind.ISO_13485, CertificateKind.PRODUCTION_LICENCE})
# The days a supplier made conditional by a lapsed certificate has to send a valid one.
CERTIFICATE_RENEWAL_DAYS = 30
# A critical supplier's approval needs an audit concluded within this many days.
AUDIT_VALID_FOR = datetime.timedelta(days=3 * 365)


class RiskClass(models.TextChoices):
    """How much what the supplier provides can affect the device (ISO 13485 7.4.1: controls
    proportionate to the risk)."""

    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    NOT_APPLICABLE = "n/a", _("Not applicable")


MAX_SCORE = 5


class AuditKind(models.TextChoices):
    ON_SITE = "on_site", _("On-site")
    REMOTE = "remote", _("Remote")
    DOCUMENT = "document", _("Document review")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class AuditResult(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    FINDINGS = "findings", _("Acceptable once the findings are closed")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class FindingClass(models.TextChoices):
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    OBSERVATION = "observation", _("Observation")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Verdict(models.TextChoices):
    """What the approved-source check answers purchasing and receiving."""

    ALLOWED = "allowed", _("Allowed")
    CONDITIONAL = "conditional", _("Allowed with conditions")
    REFUSED = "refused", _("Refused")


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
