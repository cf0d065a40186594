"""Training's choices: how someone was trained, how an assessment went, where an assignment
stands, and the cells of the training matrix."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingMethod(models.TextChoices):
    READ_AND_UNDERSTOOD = "read", _("Read and understood")
    INSTRUCTOR_LED = "instructor", _("Instructor-led, with assessment")


class Assessment(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed: a retake is assigned")
    CANCELLED = "cancelled", _("Cancelled")


class MatrixCell(models.TextChoices):
    """How one person stands on one document (the training matrix's colours)."""

    TRAINED = "trained", _("Trained")
    DUE = "due", _("Training due")
    OVERDUE = "overdue", _("Overdue")
    EXPIRED = "expired", _("Qualification expired")
    NOT_REQUIRED = "not_required", _("Not required")


# Days an assignment gives to train after a revision takes effect.
DUE_DAYS = 14
