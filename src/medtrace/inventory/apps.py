from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "medtrace.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.inventory.models import CycleCount

        register(
            NavItem("inventory", _("Stock"), "inventory:stock-list", "inventory.view_stock"),
            NavItem("inventory", _("Expiry forecast"), "inventory:expiry", "inventory.view_stock"),
            NavItem(
                "inventory", _("Cycle counts"), "inventory:count-list", "inventory.view_cyclecount"
            ),
            NavItem(
                "inventory", _("Warehouse floor"), "inventory:floor-home", "inventory.add_stockmove"
            ),
        )

        # Signed only through the count's workflow: the approval of large adjustments.
        register_signable(
            CycleCount,
            permission="inventory.approve_cyclecount",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
