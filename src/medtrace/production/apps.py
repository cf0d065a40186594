from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "medtrace.production"
    label = "production"
    verbose_name = _("Production")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.production.models import WorkOrder

        register(
            NavItem(
                "production", _("Work orders"), "production:workorder-list",
                "production.view_workorder",
            ),
            NavItem(
                "production", _("Production floor"), "production:floor",
                "production.execute_workorder",
            ),
        )  # fmt: skip
        # QA's release of the lot an order made is signed through the order's workflow.
        register_signable(
            WorkOrder,
            permission="production.release_lot",
            meanings=[SignatureMeaning.RELEASED],
            standalone=False,
        )
