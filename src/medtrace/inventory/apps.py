from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "medtrace.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.signatures import register_signable
        from medtrace.inventory.models import CycleCount

        # Signed only through the count's workflow: the approval of large adjustments.
        register_signable(
            CycleCount,
            permission="inventory.approve_cyclecount",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
