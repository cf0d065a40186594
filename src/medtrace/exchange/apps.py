from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "medtrace.exchange"
    label = "exchange"
    verbose_name = _("Import and export")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.core.navigation import NavItem, register
        from medtrace.exchange import selectors

        # Everyone who may read the catalog may export something; the page offers each user
        # only the kinds their roles allow.
        register(
            NavItem(
                "masterdata", _("Import and export"), "exchange:batch-list", "catalog.view_item"
            )
        )
        register_record_type(
            "exchange.importbatch", selectors.batch_url, selectors.batch_for_history
        )
