from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "medtrace.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(NavItem("admin", _("Audit trail"), "audit:log", "audit.view_auditentry"))
        register(
            NavItem(
                "admin",
                _("Audit-trail reviews"),
                "audit-reviews:list",
                "audit.view_auditreview",
            )
        )

        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.models import AuditReview
        from medtrace.audit.signatures import register_signable

        register_signable(
            AuditReview,
            permission="audit.change_auditreview",
            meanings=[SignatureMeaning.REVIEWED, SignatureMeaning.APPROVED],
        )
