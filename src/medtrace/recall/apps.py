from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecallConfig(AppConfig):
    name = "medtrace.recall"
    label = "recall"
    verbose_name = _("Recall")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.recall import selectors
        from medtrace.recall.models import Recall

        register(NavItem("recall", _("Recalls"), "recall:recall-list", "recall.view_recall"))
        # Approval and closure are signed through the recall's workflow.
        register_signable(
            Recall,
            permission="recall.approve_recall",
            meanings=[SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED],
            standalone=False,
        )
        register_record_type("recall.recall", selectors.recall_url, selectors.recall_for_history)
