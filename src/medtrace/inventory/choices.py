from django.db import models
from django.utils.translation import gettext_lazy as _


class StockStatus(models.TextChoices):
    """What may be done with stock, read from its lot's (or unit's) current disposition."""

    AVAILABLE = "available", _("Available")
    QUARANTINE = "quarantine", _("Quarantine")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    RECALLED = "recalled", _("Recalled")
    IN_TRANSIT = "in_transit", _("In transit")


class Operation(models.TextChoices):
    """What a movement does to stock; issuing, picking and shipping take only available
    stock."""

    RECEIVE = "receive", _("receive")
    TRANSFER = "transfer", _("transfer")
    ISSUE = "issue", _("issue")
    PICK = "pick", _("pick")
    SHIP = "ship", _("ship")
    ADJUST = "adjust", _("adjust")
    SCRAP = "scrap", _("scrap")
    RETURN = "return", _("return")
