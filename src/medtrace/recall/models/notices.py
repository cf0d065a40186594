"""Recall notices: one per consignee (or regulator), filled from a scope snapshot with exactly
that consignee's lots, serials and quantities, frozen as sent. Each carries a secret key for its
signed acknowledgement link, where the consignee confirms receipt and reports what it has on
hand, has used and will return. Every send, bounce, opening of the link and acknowledgement is
a NoticeEvent with its time (and an audit entry)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.partners.models import Customer
from medtrace.recall.choices import Audience, NoticeEventKind, NoticeStatus
from medtrace.trace.models import Lot, Party, TraceEvent, TraceObject

from .recalls import COPIED, Recall, ScopeSnapshot

USER = settings.AUTH_USER_MODEL


class Notice(models.Model):
    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="notices")
    scope = models.ForeignKey(ScopeSnapshot, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(_("number"))
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("consignee"),
    )  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("customer"),
    )  # fmt: skip
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_email = models.EmailField(_("e-mail"), blank=True)
    # A drill writes to an internal mailbox unless external mail was chosen; the consignee's
    # own address is kept to show where a real recall would have written.
    consignee_email = models.EmailField(_("consignee's e-mail"), blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    key = models.CharField(max_length=32, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PREPARED,
        editable=False,
    )  # fmt: skip
    prepared_at = models.DateTimeField(_("prepared"))
    sent_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("link first opened"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=200, blank=True)
    acknowledgement_note = models.TextField(_("remarks"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("recall notice")
        verbose_name_plural = _("recall notices")
        ordering = ["recall_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["recall", "sequence"], name="recall_notice_sequence"),
            models.UniqueConstraint(
                fields=["recall", "party"],
                condition=models.Q(party__isnull=False),
                name="recall_notice_one_per_consignee",
            ),
        ]
        indexes = [models.Index(fields=["recall", "status"], name="recall_notice_status")]

    def __str__(self):
        return f"{self.recall.number}-N{self.sequence:03d}"

    @property
    def number(self) -> str:
        return str(self)

    # The audit trail files a notice under its recall's site and organization.
    @property
    def site_id(self) -> int:
        return self.recall.site_id

    @property
    def organization_id(self) -> int:
        return self.recall.organization_id

    @property
    def site(self):
        return self.recall.site


class NoticeLine(models.Model):
    """One lot or unit the consignee received (from the scope), and what it reported."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="lines")
    # Copied from the scope's entries (see ScopeEntry).
    object = models.ForeignKey(TraceObject, related_name="+", **COPIED)
    item = models.ForeignKey(Item, related_name="+", **COPIED)
    lot = models.ForeignKey(Lot, related_name="+", null=True, **COPIED)
    serial = models.CharField(_("serial"), max_length=20, blank=True)
    shipment = models.ForeignKey(TraceEvent, related_name="+", null=True, **COPIED)
    quantity = models.DecimalField(_("shipped"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit"), max_length=8, blank=True)
    on_hand = models.DecimalField(
        _("on hand"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    used = models.DecimalField(
        _("already used"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    to_return = models.DecimalField(
        _("to return"), max_digits=18, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("notice line")
        verbose_name_plural = _("notice lines")
        ordering = ["notice_id", "pk"]

    def __str__(self):
        return f"{self.notice_id} {self.object_id}"

    @property
    def reported(self) -> bool:
        return self.on_hand is not None


class NoticeEvent(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=NoticeEventKind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)
    # {"to": address, "error": text, "lines": {...}, "ip": ...}
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["notice_id", "at", "pk"]
        indexes = [models.Index(fields=["notice", "kind"], name="recall_notice_event_kind")]

    def __str__(self):
        return f"{self.notice_id} {self.kind}"
