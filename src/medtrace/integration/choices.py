from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed (will retry)")
    DEAD = "dead", _("Dead letter (gave up)")
    # A subscription without an address: the receiver fetches it from the feed by cursor.
    IN_FEED = "in_feed", _("In the feed")


# A worker may claim these once their next attempt is due.
CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# An administrator may send these again.
REDELIVERABLE = (DeliveryStatus.DEAD, DeliveryStatus.RETRYING, DeliveryStatus.DELIVERED)

STATUS_BADGE = {
    DeliveryStatus.PENDING: "",
    DeliveryStatus.SENDING: "warn",
    DeliveryStatus.DELIVERED: "ok",
    DeliveryStatus.RETRYING: "warn",
    DeliveryStatus.DEAD: "bad",
    DeliveryStatus.IN_FEED: "",
}
