from django.db import models
from django.utils.translation import gettext_lazy as _


class NcrSource(models.TextChoices):
    INCOMING = "incoming", _("Incoming inspection")
    IN_PROCESS = "in_process", _("In-process inspection")
    FINAL = "final", _("Final inspection")
    CUSTOMER_RETURN = "customer_return", _("Customer return")
    COMPLAINT = "complaint", _("Complaint")
    AUDIT = "audit", _("Audit")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class NcrStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under MRB review")
    DISPOSITIONED = "dispositioned", _("Dispositioned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    """Material review board decisions (ISO 13485 8.3.2 to 8.3.4)."""

    USE_AS_IS = "use_as_is", _("Use as is")
    REWORK = "rework", _("Rework")
    REPAIR = "repair", _("Repair")
    SCRAP = "scrap", _("Scrap")
    RETURN_TO_SUPPLIER = "return_to_supplier", _("Return to supplier")
    REGRADE = "regrade", _("Regrade")


class InspectionStage(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    IN_PROCESS = "in_process", _("In-process")
    FINAL = "final", _("Final")


class CharacteristicKind(models.TextChoices):
    ATTRIBUTE = "attribute", _("Attribute (pass / fail)")
    VARIABLE = "variable", _("Variable (measured)")


class DefectClass(models.TextChoices):
    """Classes of nonconformity, each judged on its own AQL (ISO 2859-1 3.1.6)."""

    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class InspectionLevel(models.TextChoices):
    I = "I", _("General I")  # noqa: E741 (the standard's name)
    II = "II", _("General II")
    III = "III", _("General III")
    S1 = "S-1", _("Special S-1")
    S2 = "S-2", _("Special S-2")
    S3 = "S-3", _("Special S-3")
    S4 = "S-4", _("Special S-4")


class InspectionSeverity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    TIGHTENED = "tightened", _("Tightened")
    REDUCED = "reduced", _("Reduced")


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionVerdict(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    # ISO 2859-1 / Z1.4 reduced inspection: more than Ac, fewer than Re.
    ACCEPTED_REINSTATE_NORMAL = (
        "accepted_reinstate_normal",
        _("Accepted; normal inspection reinstated"),
    )
