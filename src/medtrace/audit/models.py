from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import AuditAction, ReviewConclusion, SignatureMeaning

GENESIS_HASH = "0" * 64


class AuditChain(models.Model):
    """The head of one hash chain: one per organization, plus "installation" for events that
    belong to no organization (a failed sign-in with an unknown username). Writers lock this
    row until they commit, so a chain never forks (docs/decisions/0001-audit-chain.md)."""

    key = models.CharField(max_length=40, unique=True)
    organization = models.OneToOneField(
        "org.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return self.key


class AuditEntry(models.Model):
    """One fact of the audit trail. Append-only: database triggers refuse UPDATE and DELETE,
    and entry_hash chains it to the previous entry of its chain."""

    chain = models.ForeignKey(AuditChain, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveBigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"))
    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "org.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    # The actor's id and printed name as they were: the trail must read the same after the
    # user is deactivated or renamed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_name = models.CharField(_("user"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_ip = models.CharField(_("client IP"), max_length=45, blank=True)
    api_token = models.CharField(_("API token"), max_length=16, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["chain", "sequence"]
        permissions = [("verify_chain", _("Can verify the audit chain"))]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_sequence_unique"),
            models.UniqueConstraint(fields=["chain", "previous_hash"], name="audit_no_fork"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_repr}"


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70): who signed which record, meaning what,
    when, over which content. Append-only like the trail itself; `content_hash` binds it to
    the record's content and identity, so a later change or a copy shows it as invalid."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "org.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=20, choices=SignatureMeaning.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("signer"),
    )
    # The printed name as it was at signing (11.50): the signature reads the same after the
    # user is renamed.
    signer_name = models.CharField(_("printed name"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    reason = models.TextField(_("reason"), blank=True)
    audit_entry = models.ForeignKey(
        AuditEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("audit entry")
    )

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["signed_at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="signature_object_idx")]

    def __str__(self):
        return f"{self.signer_name} · {self.get_meaning_display()} · {self.object_repr}"


class AuditReview(models.Model):
    """A periodic review of the audit trail by QA, signed when done (FDA data-integrity
    guidance). The period is a range of sequence numbers of the organization's chain,
    `reviewed_from` to `reviewed_to` inclusive, the latter being the chain head when the review
    was opened (`head_hash`); a review at a site covers that site's entries and those that
    belong to no site (sign-ins, lockouts, user administration)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "org.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    reviewed_from = models.PositiveBigIntegerField(_("from entry"))
    reviewed_to = models.PositiveBigIntegerField(_("to entry"))
    head_hash = models.CharField(_("chain head hash"), max_length=64)
    entries_reviewed = models.PositiveIntegerField(_("entries reviewed"))
    findings = models.TextField(_("findings"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=ReviewConclusion.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    audit_requires_reason = True

    class Meta:
        verbose_name = _("audit-trail review")
        verbose_name_plural = _("audit-trail reviews")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Audit-trail review #%(from)s to #%(to)s") % {
            "from": self.reviewed_from,
            "to": self.reviewed_to,
        }

    def get_absolute_url(self) -> str:
        return reverse("audit-reviews:detail", args=[self.pk])

    def signed_content(self) -> dict:
        return {
            "reviewed_from": self.reviewed_from,
            "reviewed_to": self.reviewed_to,
            "head_hash": self.head_hash,
            "findings": self.findings,
            "conclusion": self.conclusion,
        }
