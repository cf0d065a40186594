from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    PLANT = "plant", _("Plant")
    WAREHOUSE = "warehouse", _("Warehouse")
    OFFICE = "office", _("Office")


class LocationKind(models.TextChoices):
    AREA = "area", _("Area")
    RECEIVING = "receiving", _("Receiving")
    QUARANTINE = "quarantine", _("Quarantine")
    STOCK = "stock", _("Stock")
    PRODUCTION = "production", _("Production")
    SHIPPING = "shipping", _("Shipping")
    SCRAP = "scrap", _("Scrap")
    RETURNS = "returns", _("Returns")
