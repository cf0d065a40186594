from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class PackageKind(models.TextChoices):
    CASE = "case", _("Case")
    PALLET = "pallet", _("Pallet")


class ReturnStatus(models.TextChoices):
    AUTHORIZED = "authorized", _("Authorized")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnDecision(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    SCRAP = "scrap", _("Scrap")
    NCR = "ncr", _("Open an NCR")


class DeliveryChannel(models.TextChoices):
    LINK = "link", _("Customer's confirmation link")
    API = "api", _("API")
    STAFF = "staff", _("Recorded by staff")
