from django.db import models
from django.utils.translation import gettext_lazy as _

# The background jobs of jobs.py, by name (the pages queue them on request).
COUNT_SHIPPED = "analytics.count_shipped"
SEND_REPORTS = "analytics.send_reports"
ASSESS_RISK = "analytics.assess_risk"
# The argument of a run asked for by a person: their organization's figures only.
ORGANIZATION_ARGUMENT = "organization"


class ReportKind(models.TextChoices):
    WEEKLY_QUALITY = "weekly_quality", _("Weekly quality summary")
    MONTHLY_SUPPLIERS = "monthly_suppliers", _("Monthly supplier scorecard")


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class StoredKind(models.TextChoices):
    """The dashboard figures computed by a job and stored for the pages to read."""

    SHIPPED_UNITS = "shipped_units", _("Units shipped")
    LOT_RISKS = "lot_risks", _("Lot risk signals")
