import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.jobs.choices import ACTIVE, RETRYABLE, STATUS_BADGE, JobStatus, LogLevel


class Job(models.Model):
    """One run of a registered job function: queued, claimed by a worker with a conditional
    UPDATE, retried with back-off, and kept with its log lines so administrators can see what
    happened. Status moves only through medtrace.jobs.services."""

    # Null for system jobs (periodic maintenance); set for jobs started on behalf of one
    # organization, so a distributed PostgreSQL can shard by it (DESIGN rule 8).
    organization = models.ForeignKey(
        "org.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("job"), max_length=100)
    arguments = models.JSONField(
        _("arguments"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    # Enqueuing twice with the same key gives back the first job ("" = no key).
    key = models.CharField(_("idempotency key"), max_length=200, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=5)
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    claimed_by = models.CharField(_("worker"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    progress_label = models.CharField(_("progress"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "run_after"], name="job_status_run_after_idx"),
            models.Index(fields=["name", "status"], name="job_name_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="job_key_unique"
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def can_retry(self) -> bool:
        return self.status in RETRYABLE

    @property
    def badge(self) -> str:
        return STATUS_BADGE[JobStatus(self.status)]

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def arguments_pretty(self) -> str:
        return _pretty(self.arguments)

    @property
    def result_pretty(self) -> str:
        return "" if self.result is None else _pretty(self.result)


def _pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


class JobLogLine(models.Model):
    """A line a job wrote with ctx.log(), or the queue wrote about the job (claimed, failed,
    retried by whom)."""

    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="log_lines", verbose_name=_("job")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    level = models.CharField(
        _("level"), max_length=10, choices=LogLevel.choices, default=LogLevel.INFO
    )
    message = models.TextField(_("message"))
    # A line naming a site's record (a lot, a machine) is shown only to people who see that
    # site, one naming an organization's record only to its people: a system job runs over
    # every organization, and its page is open to each one's administrators.
    site = models.ForeignKey(
        "org.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("site"),
    )  # fmt: skip
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organization"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("job log line")
        verbose_name_plural = _("job log lines")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.level} {self.message[:80]}"
