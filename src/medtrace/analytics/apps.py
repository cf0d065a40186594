from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "medtrace.analytics"
    label = "analytics"
    verbose_name = _("Dashboards and analytics")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "dashboards", _("SPC control charts"), "analytics:spc-list",
                "quality.view_inspectionrecord",
            ),
            NavItem(
                "dashboards", _("Supplier quality"), "analytics:supplier-quality",
                "quality.view_inspectionrecord",
            ),
            NavItem(
                "dashboards", _("Lot risk signals"), "analytics:risk-list",
                "quality.view_nonconformance",
            ),
            NavItem(
                "dashboards", _("Complaint trends"), "analytics:complaint-trends",
                "quality.view_complaint",
            ),
            NavItem(
                "dashboards", _("Reports"), "analytics:reports", "quality.view_nonconformance",
            ),
        )  # fmt: skip
