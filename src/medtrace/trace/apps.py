from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "medtrace.trace"
    label = "trace"
    verbose_name = _("Traceability")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(NavItem("trace", _("Traceability"), "trace:scan", "trace.view_traceobject"))
