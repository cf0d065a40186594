from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.exchange.choices import BatchStatus, FileFormat, ImportKind
from medtrace.org.models import Organization, Site


class ImportBatch(models.Model):
    """One uploaded sheet: the file itself (kept in the database, identified by its SHA-256),
    the report of its last validation, and whether it was applied. Nothing of the sheet reaches
    the master data until the batch is applied, and then all of it at once; its `status`
    changes only through services (validate, apply, discard)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8, choices=FileFormat.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content = models.BinaryField(_("file content"), editable=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Recorded with every change the import makes (required to correct a DI)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, editable=False
    )
    # The file and the report show the rows as they are, so a batch whose rows name sites is
    # shown only to people who see every one of them (and to its uploader).
    sites = models.ManyToManyField(
        Site, blank=True, editable=False, related_name="+", verbose_name=_("sites its rows name")
    )
    report = models.JSONField(_("validation report"), default=dict, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)

    # Neither the file nor the report belongs in an audit entry (sha256 and counts do).
    audit_exclude = ("content", "report")

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="import_batch_org_idx")
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.file_name}"

    @property
    def problems(self) -> list[dict]:
        return self.report.get("problems", [])

    @property
    def problem_count(self) -> int:
        return self.report.get("problem_count", len(self.problems))

    @property
    def counts(self) -> dict:
        return self.report.get("counts", {})
