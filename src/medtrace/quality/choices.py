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


class DeviationKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNPLANNED = "unplanned", _("Unplanned")


class DeviationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CapaSource(models.TextChoices):
    NONCONFORMANCE = "nonconformance", _("Nonconformance")
    DEVIATION = "deviation", _("Deviation")
    COMPLAINT = "complaint", _("Complaint")
    AUDIT = "audit", _("Audit finding")
    TREND = "trend", _("Trend signal")
    MANAGEMENT_REVIEW = "management_review", _("Management review")


class CapaStatus(models.TextChoices):
    OPEN = "open", _("Open (investigation)")
    IMPLEMENTING = "implementing", _("Implementing actions")
    EFFECTIVENESS_CHECK = "effectiveness_check", _("Effectiveness check")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE = "preventive", _("Preventive")


class FishboneCategory(models.TextChoices):
    """The 6M of an Ishikawa diagram."""

    MAN = "man", _("People")
    MACHINE = "machine", _("Machine")
    METHOD = "method", _("Method")
    MATERIAL = "material", _("Material")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")
    SKIPPED = "skipped", _("Check skipped (with rationale)")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Customer portal")
    FIELD_SERVICE = "field_service", _("Field service")
    SALES = "sales", _("Sales representative")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Investigating")
    DECIDED = "decided", _("Reportability decided")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class EventOutcome(models.TextChoices):
    """What happened, as the reporting clocks classify it (the values of
    quality.reportability.Outcome; a test keeps them the same)."""

    DEATH = "death", _("Death")
    SERIOUS_INJURY = "serious_injury", _("Serious injury")
    UNANTICIPATED_SERIOUS_DETERIORATION = (
        "unanticipated_serious_deterioration",
        _("Unanticipated serious deterioration in health"),
    )
    MALFUNCTION = "malfunction", _("Malfunction that could cause death or serious injury")
    NON_SERIOUS = "non_serious", _("Not serious, and could not have been")
    SERIOUS_PUBLIC_HEALTH_THREAT = (
        "serious_public_health_threat",
        _("Serious public health threat"),
    )
    CLUSTER = "cluster", _("Cluster of events (NMPA)")


class MarketRegion(models.TextChoices):
    """Where the device is marketed (the values of quality.reportability.Region)."""

    NMPA = "nmpa", _("China (NMPA)")
    FDA = "fda", _("United States (FDA)")
    EU = "eu", _("European Union (MDR)")


class PatientSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class ReportForm(models.TextChoices):
    NMPA_ADVERSE_EVENT = "nmpa_ae", _("NMPA suspected adverse event report")
    FDA_3500A = "fda_3500a", _("FDA MedWatch 3500A")
    EU_MIR = "eu_mir", _("EU manufacturer incident report (MIR)")
