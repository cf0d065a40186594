from django.db import models
from django.utils.translation import gettext_lazy as _


class Database(models.TextChoices):
    """The UDI databases a maker submits its device identifiers to."""

    NMPA = "nmpa", _("NMPA UDID (China)")
    GUDID = "gudid", _("FDA GUDID (United States)")
    EUDAMED = "eudamed", _("EUDAMED (European Union)")


class SubmissionStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Rejected")


class RecordState(models.TextChoices):
    """Where a device stands with a database, compared with what was last submitted to it."""

    NEW = "new", _("Never submitted")
    CHANGED = "changed", _("Changed since the last submission")
    CURRENT = "current", _("Up to date")


STATUS_BADGE = {
    SubmissionStatus.PREPARED: "warn",
    SubmissionStatus.SUBMITTED: "ok",
    SubmissionStatus.REJECTED: "bad",
}
STATE_BADGE = {RecordState.NEW: "warn", RecordState.CHANGED: "warn", RecordState.CURRENT: "ok"}
