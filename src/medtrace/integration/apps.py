from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "medtrace.integration"
    label = "integration"
    verbose_name = _("Integration")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "admin",
                _("Webhooks and feeds"),
                "integration:subscription-list",
                "integration.view_subscription",
            )
        )
