from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "medtrace.production"
    label = "production"
    verbose_name = _("Production")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "production", _("Work orders"), "production:workorder-list",
                "production.view_workorder",
            ),
        )  # fmt: skip
