from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from medtrace.audit.models import Signature
from medtrace.documents.choices import DocumentType, Market, RevisionStatus
from medtrace.org.models import Organization, Site, code_validator


class ControlledDocument(models.Model):
    """A document under control (ISO 13485 4.2.4): its number, title and type, the site that
    owns it and the sites where it is in force, its owner and when it is next reviewed. What
    it says is in its revisions; at most one of them is effective at a time."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="documents", verbose_name=_("owning site")
    )
    applies_to = models.ManyToManyField(
        Site, related_name="+", verbose_name=_("in force at"),
        help_text=_("The sites whose people work to this document; the owning site always."),
    )  # fmt: skip
    number = models.CharField(_("number"), max_length=32, validators=[code_validator])
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    document_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner"),
    )  # fmt: skip
    review_interval_months = models.PositiveSmallIntegerField(
        _("periodic review every (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    next_review_on = models.DateField(_("next periodic review"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="document_number_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "next_review_on"])]
        permissions = [
            ("approve_document", "Can approve, make effective and withdraw document revisions"),
            ("view_all_revisions", "Can read revisions that are not effective"),
        ]

    def __str__(self):
        return f"{self.number} {self.display_title}"

    @property
    def display_title(self) -> str:
        if self.title_en and not (get_language() or "").startswith("zh"):
            return self.title_en
        return self.title

    def signed_content(self) -> dict:
        """What a periodic review signs: the document and the revision found still valid."""
        effective = self.revisions.filter(status=RevisionStatus.EFFECTIVE).first()
        return {
            "number": self.number,
            "title": self.title,
            "title_en": self.title_en,
            "document_type": self.document_type,
            "effective_revision": effective.signed_content() if effective else None,
        }


class DocumentRevision(models.Model):
    """One revision of a controlled document: authored text (Markdown) or an uploaded file,
    the summary of what changed and whether people must be trained on it. Its status moves
    only through documents.workflows.REVISION; only a draft's content changes."""

    document = models.ForeignKey(
        ControlledDocument, on_delete=models.PROTECT, related_name="revisions"
    )
    revision = models.PositiveIntegerField(_("revision"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=12, choices=RevisionStatus.choices,
        default=RevisionStatus.DRAFT, editable=False,
    )  # fmt: skip
    change_summary = models.TextField(_("what changed and why"))
    body = models.TextField(
        _("content"), blank=True,
        help_text=_("Markdown: # headings, lists, **bold**, tables. Or upload a file instead."),
    )  # fmt: skip
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, editable=False)
    effective_on = models.DateField(
        _("effective on"), null=True, blank=True,
        help_text=_("The day it takes effect once approved; empty: as soon as it is approved."),
    )  # fmt: skip
    training_required = models.BooleanField(
        _("training required"), default=True,
        help_text=_("Untick for a change people need not be retrained on (a typo, a layout)."),
    )  # fmt: skip
    # Part of a change request: approval does not make it effective; the change's
    # implementation does, together with the versions it releases.
    held_by_change = models.CharField(
        _("released by change"), max_length=32, blank=True, editable=False
    )
    effective_at = models.DateTimeField(_("effective since"), null=True, editable=False)
    ended_at = models.DateTimeField(_("superseded or withdrawn"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("author"),
    )  # fmt: skip
    # Each submission for review starts a round; approvals count within their round only.
    review_round = models.PositiveIntegerField(default=0, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document revision")
        verbose_name_plural = _("document revisions")
        ordering = ["document__number", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "revision"], name="document_revision_unique"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="effective"),
                name="one_effective_revision_per_document",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="one_pending_revision_per_document",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_on"])]

    def __str__(self):
        return f"{self.document.number} " + str(_("rev. %(n)s") % {"n": self.revision})

    @property
    def site_id(self) -> int:
        """The owning site decides who may change, approve and sign the revision."""
        return self.document.site_id

    @property
    def site(self) -> Site:
        return self.document.site

    @property
    def is_file(self) -> bool:
        return bool(self.file_sha256)

    @property
    def is_pdf(self) -> bool:
        return self.file_name.lower().endswith(".pdf")

    def signed_content(self) -> dict:
        return {
            "number": self.document.number,
            "title": self.document.title,
            "revision": self.revision,
            "change_summary": self.change_summary,
            "body": self.body,
            "file_sha256": self.file_sha256,
            "effective_on": self.effective_on,
            "training_required": self.training_required,
        }


class ApprovalRoute(models.Model):
    """Whose approval a revision of one document type needs: one signature by a holder of
    each role (at the owning site). Without a route, choices.DEFAULT_APPROVERS apply."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    document_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    roles = models.JSONField(_("approver roles"), default=list)

    class Meta:
        verbose_name = _("approval route")
        verbose_name_plural = _("approval routes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document_type"], name="approval_route_unique"
            )
        ]

    def __str__(self):
        return self.get_document_type_display()


class RevisionApproval(models.Model):
    """One approver's signature on a revision in review, and the role it was given for."""

    revision = models.ForeignKey(
        DocumentRevision, on_delete=models.PROTECT, related_name="approvals"
    )
    review_round = models.PositiveIntegerField()
    role = models.CharField(_("as"), max_length=32)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "review_round", "role"], name="one_approval_per_role"
            )
        ]

    def __str__(self):
        return f"{self.revision} · {self.role}"


class DocumentCopy(models.Model):
    """A printed (PDF) copy of a revision. Controlled copies are numbered per revision and
    issued to someone; other prints say they are uncontrolled once printed."""

    revision = models.ForeignKey(DocumentRevision, on_delete=models.PROTECT, related_name="copies")
    controlled = models.BooleanField(_("controlled copy"))
    copy_number = models.PositiveIntegerField(_("copy number"), null=True)
    issued_to = models.CharField(_("issued to"), max_length=200, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("printed by"),
    )  # fmt: skip
    printed_at = models.DateTimeField(_("printed"), auto_now_add=True)

    class Meta:
        verbose_name = _("document copy")
        verbose_name_plural = _("document copies")
        ordering = ["-printed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "copy_number"], name="controlled_copy_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.revision} · {self.copy_number or '-'}"

    @property
    def site_id(self) -> int:
        return self.revision.document.site_id


class GeneratedDocument(models.Model):
    """A document generated from a template (the quality manual, an SOP skeleton, a CAPA,
    NCR or supplier audit report) for one market, filled from live data: what was generated,
    from which record, by whom and when, with the PDF and its hash. A generated skeleton may
    be taken in as a controlled document's draft (`document`)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    template = models.CharField(_("template"), max_length=40)
    market = models.CharField(_("market"), max_length=8, choices=Market.choices)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    subject_type = models.CharField(_("generated from"), max_length=100, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    subject_repr = models.CharField(max_length=200, blank=True)
    file = models.FileField(_("PDF"), upload_to="documents/generated/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("generated by"),
    )  # fmt: skip
    generated_at = models.DateTimeField(_("generated"), auto_now_add=True)
    document = models.ForeignKey(
        ControlledDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("taken in as"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-generated_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return self.title
