from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "medtrace.trace"
    label = "trace"
    verbose_name = _("Traceability")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.core.navigation import NavItem, register
        from medtrace.trace import selectors

        register(NavItem("trace", _("Traceability"), "trace:scan", "trace.view_traceobject"))
        # Audit entries name the concrete kind (lot, unit, container); all open one page.
        for object_type in ("trace.lot", "trace.unit", "trace.container"):
            register_record_type(object_type, selectors.object_url, selectors.object_for_history)
