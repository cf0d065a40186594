from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "medtrace.quality"
    label = "quality"
    verbose_name = _("Quality")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.quality import selectors
        from medtrace.quality.models import Nonconformance

        register(
            NavItem(
                "quality", _("Nonconformances"), "quality:ncr-list", "quality.view_nonconformance"
            )
        )
        register_signable(
            Nonconformance,
            permission="quality.approve_nonconformance",
            meanings=[SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED],
            standalone=False,
        )
        register_record_type(
            "quality.nonconformance",
            selectors.nonconformance_url,
            selectors.nonconformance_for_history,
        )
