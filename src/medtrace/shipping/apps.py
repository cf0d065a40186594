from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "medtrace.shipping"
    label = "shipping"
    verbose_name = _("Shipping")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "inventory", _("Shipments"), "shipping:order-list", "shipping.view_shipmentorder"
            ),
            NavItem(
                "inventory",
                _("Returns (RMA)"),
                "shipping:return-list",
                "shipping.view_returnauthorization",
            ),
        )
