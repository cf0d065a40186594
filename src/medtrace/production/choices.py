from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class OperationStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ReadingSource(models.TextChoices):
    """Who entered a process-parameter reading: a person at the station, or a machine (or
    MES) posting through the API."""

    MANUAL = "manual", _("Entered")
    MACHINE = "machine", _("Machine")


class SerialSource(models.TextChoices):
    GENERATED = "generated", _("Generated")
    SCANNED = "scanned", _("Scanned from a pre-printed label")
