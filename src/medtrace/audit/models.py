from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import AuditAction

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
