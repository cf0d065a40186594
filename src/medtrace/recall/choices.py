from django.db import models
from django.utils.translation import gettext_lazy as _


class RecallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")  # signed: holds placed, the clocks run
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class RecallClass(models.TextChoices):
    """The health-hazard class, as NMPA and FDA grade it (一级/二级/三级, class I/II/III)."""

    I = "I", _("Class I (serious harm or death likely)")  # noqa: E741
    II = "II", _("Class II (temporary or reversible harm, or serious harm remote)")
    III = "III", _("Class III (harm unlikely)")


class Depth(models.TextChoices):
    """How far down the distribution chain the recall reaches (21 CFR 7.42(b)(1))."""

    WHOLESALE = "wholesale", _("Distributors (wholesale)")
    RETAIL = "retail", _("Retail")
    USER = "user", _("Users (hospitals, clinics)")
    CONSUMER = "consumer", _("Consumers (patients)")


class Strategy(models.TextChoices):
    REMOVAL = "removal", _("Removal")
    CORRECTION = "correction", _("Correction on site")
    NOTICE = "notice", _("Field safety notice")


class Place(models.TextChoices):
    """Where an affected lot or unit is when the scope is computed."""

    STOCK = "stock", _("In our stock")
    WIP = "wip", _("On a production line")
    CONSIGNEE = "consignee", _("At a consignee")


class RecallEffectiveness(models.TextChoices):
    """The level of effectiveness checks (21 CFR 7.42(b)(3)): which share of the consignees
    must be verified as having received the notice and acted on it."""

    A = "A", _("Level A: every consignee (100 per cent)")
    B = "B", _("Level B: more than 10 per cent (a share chosen by the firm)")
    C = "C", _("Level C: 10 per cent of consignees")
    D = "D", _("Level D: 2 per cent of consignees")
    E = "E", _("Level E: no effectiveness checks")


class Audience(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    HOSPITAL = "hospital", _("Hospital or clinic")
    END_USER = "end_user", _("End user (patient)")
    REGULATOR = "regulator", _("Regulator")


class NoticeStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    BOUNCED = "bounced", _("Bounced")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class NoticeEventKind(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SENT = "sent", _("Sent")
    REMINDED = "reminded", _("Reminder sent")
    FAILED = "failed", _("Sending failed")
    BOUNCED = "bounced", _("Bounced")
    PRINTED = "printed", _("Printed as a letter")
    OPENED = "opened", _("Acknowledgement link opened")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated")
