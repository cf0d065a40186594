from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed (will retry)")
    DEAD = "dead", _("Dead (gave up)")


# A worker may claim these once their run_after has come.
CLAIMABLE = (JobStatus.QUEUED, JobStatus.FAILED)
# Still on its way: pages keep polling these.
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# An administrator may send these back to the queue.
RETRYABLE = (JobStatus.FAILED, JobStatus.DEAD)

STATUS_BADGE = {
    JobStatus.QUEUED: "",
    JobStatus.RUNNING: "warn",
    JobStatus.SUCCEEDED: "ok",
    JobStatus.FAILED: "warn",
    JobStatus.DEAD: "bad",
}


class LogLevel(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")
