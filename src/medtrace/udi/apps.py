from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UdiConfig(AppConfig):
    name = "medtrace.udi"
    label = "udi"
    verbose_name = _("UDI databases")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.core.navigation import NavItem, register
        from medtrace.udi import selectors

        register(
            NavItem(
                "masterdata", _("UDI database submissions"), "udi:overview", "udi.view_submission"
            )
        )
        register_record_type(
            "udi.submission", selectors.submission_url, selectors.submission_for_history
        )
        register_record_type(
            "udi.registrant", selectors.registrant_url, selectors.registrant_for_history
        )
