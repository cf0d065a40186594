from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    """Labels have no models: the app holds the label templates, pages and API."""

    name = "medtrace.labels"
    label = "labels"
    verbose_name = _("Labels")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "inventory",
                _("SSCC case labels"),
                "labels:sscc",
                "catalog.view_deviceidentifier",
            )
        )
