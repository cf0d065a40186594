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


class CountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class AdjustmentReason(models.TextChoices):
    """Why a count differs from the books: required on every differing line."""

    MISCOUNT = "miscount", _("Earlier count or booking error")
    FOUND = "found", _("Found stock")
    MISSING = "missing", _("Missing, not found")
    DAMAGED = "damaged", _("Damaged in storage")
    UNRECORDED_USE = "unrecorded_use", _("Used without booking")
    OTHER = "other", _("Other (explain)")
