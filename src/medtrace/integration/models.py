"""Outbound integration: subscriptions (webhooks and pull feeds), EPCIS named queries, the
outbox of published events and the delivery of each to each subscription, attempt by attempt.

An OutboxMessage is written in the transaction of the change it announces, together with one
Delivery per subscription that wants it, so a change and its announcement commit or roll back
together. Workers then send the deliveries (medtrace.integration.delivery)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.integration.choices import STATUS_BADGE, DeliveryStatus


class EpcisQuery(models.Model):
    """An EPCIS 2.0 named query: the standard query parameters kept under a name, which
    subscriptions stand on (POST /epcis/queries in the REST binding)."""

    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    parameters = models.JSONField(_("query parameters"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("EPCIS named query")
        verbose_name_plural = _("EPCIS named queries")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="integration_query_name_unique"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def query_string(self) -> str:
        return "&".join(f"{key}={value}" for key, value in sorted(self.parameters.items()))


class Subscription(models.Model):
    """Who wants which published events of which sites, and where they go: POSTed to `url`
    (a webhook), or kept in a feed the receiver reads by cursor when there is no url."""

    public_id = models.UUIDField(_("subscription ID"), default=uuid.uuid4, unique=True)
    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500, blank=True)
    # The HMAC-SHA256 key; the receiver holds it too. Never written to the audit trail.
    secret = models.CharField(_("signing secret"), max_length=128)
    topics = models.JSONField(_("events"), default=list, blank=True)
    # An EPCIS subscription: the trace events matching this named query, as EPCIS documents.
    query = models.ForeignKey(
        EpcisQuery,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("EPCIS query"),
    )
    sites = models.ManyToManyField("org.Site", related_name="+", verbose_name=_("sites"))
    is_active = models.BooleanField(_("active"), default=True)
    # The last delivery's number: deliveries are numbered 1, 2, 3 … per subscription, under a
    # row lock held to the publisher's commit, so a feed read by cursor never skips one.
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_delivered_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    audit_exclude = ("secret", "last_sequence", "last_delivered_at")

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_feed(self) -> bool:
        return not self.url

    @property
    def is_epcis(self) -> bool:
        return self.query_id is not None

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:4]}…{self.secret[-2:]}" if self.secret else ""


class OutboxMessage(models.Model):
    """One published event: what happened, to which record, where, as the receivers get it."""

    message_id = models.UUIDField(_("message ID"), default=uuid.uuid4, unique=True)
    organization = models.ForeignKey("org.Organization", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "org.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=100)
    event_type = models.CharField(_("event"), max_length=150)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=300, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred"))
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"], name="outbox_created_idx")]

    def __str__(self):
        return f"{self.event_type} {self.object_repr}"


class Delivery(models.Model):
    """One message on its way to one subscription."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="deliveries")
    sequence = models.PositiveBigIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_by = models.CharField(_("worker"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "sequence"], name="delivery_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["subscription", "message"], name="delivery_message_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.subscription} #{self.sequence}"

    @property
    def badge(self) -> str:
        return STATUS_BADGE[DeliveryStatus(self.status)]


class DeliveryAttempt(models.Model):
    """One POST of a delivery, as it went: the receiver's answer, or why there was none."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts_made")
    number = models.PositiveSmallIntegerField(_("attempt"))
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    error = models.TextField(_("error"), blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"{self.delivery} attempt {self.number}"

    @property
    def duration_ms(self) -> int | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)
