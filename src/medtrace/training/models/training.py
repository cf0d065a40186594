from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.audit.models import Signature
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.org.models import BilingualName, Organization, Site, code_validator
from medtrace.training.choices import Assessment, AssignmentStatus, TrainingMethod


class Curriculum(BilingualName):
    """The documents a job function must be trained on: whoever holds one of `roles` at a
    site where a document is in force, and the people named as members. A qualification
    lapses after `requalify_months` (none: it lasts while the revision is effective)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="curricula", verbose_name=_("site")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    roles = models.JSONField(_("roles"), default=list, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="curricula", blank=True,
        verbose_name=_("named members"),
    )  # fmt: skip
    documents = models.ManyToManyField(
        ControlledDocument, related_name="curricula", verbose_name=_("documents")
    )
    requalify_months = models.PositiveSmallIntegerField(
        _("requalify every (months)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="curriculum_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"


class TrainingAssignment(models.Model):
    """Someone must train on a revision by a date: created when the revision takes effect
    (for everyone its curricula name), when a qualification lapses, or by QA. Completed by a
    training record; cancelled when a later revision supersedes it first."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_assignments",
        verbose_name=_("trainee"),
    )  # fmt: skip
    revision = models.ForeignKey(
        DocumentRevision, on_delete=models.PROTECT, related_name="training_assignments",
        verbose_name=_("revision"),
    )  # fmt: skip
    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("curriculum"),
    )  # fmt: skip
    reason = models.CharField(_("why"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices,
        default=AssignmentStatus.OPEN, editable=False,
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    due_on = models.DateField(_("due"))
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "revision"],
                condition=Q(status="open"),
                name="one_open_assignment_per_revision",
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.trainee} · {self.revision}"

    def signed_content(self) -> dict:
        """What the trainee (read and understood) or the trainer (instructor-led) signs: who
        was trained on which revision, bound to that revision's content."""
        from medtrace.audit.signatures import content_hash

        return {
            "trainee": self.trainee.username,
            "trainee_name": self.trainee.printed_name,
            "document": self.revision.document.number,
            "revision": self.revision.revision,
            "revision_content": content_hash(self.revision),
        }


class TrainingRecord(models.Model):
    """Evidence that someone was trained on a revision: how, by whom, the assessment and the
    signature, and until when the qualification holds."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    assignment = models.ForeignKey(
        TrainingAssignment, on_delete=models.PROTECT, related_name="records"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records",
        verbose_name=_("trainee"),
    )  # fmt: skip
    revision = models.ForeignKey(
        DocumentRevision, on_delete=models.PROTECT, related_name="training_records",
        verbose_name=_("revision"),
    )  # fmt: skip
    method = models.CharField(_("method"), max_length=10, choices=TrainingMethod.choices)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("trainer"),
    )  # fmt: skip
    assessment = models.CharField(
        _("assessment"), max_length=8, choices=Assessment.choices, blank=True
    )
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    completed_at = models.DateTimeField(_("completed"))
    valid_until = models.DateField(_("qualified until"), null=True, blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_at"]
        indexes = [models.Index(fields=["trainee", "revision"])]

    def __str__(self):
        return f"{self.trainee} · {self.revision}"

    @property
    def qualifies(self) -> bool:
        return self.assessment != Assessment.FAILED
