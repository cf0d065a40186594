from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "medtrace.changes"
    label = "changes"
    verbose_name = _("Change control")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.changes import selectors
        from medtrace.changes.models import ChangeRequest
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "quality",
                _("Change control"),
                "changes:change-list",
                "changes.view_changerequest",
            ),
        )
        # Who may sign what is the workflow's question (each transition names its permission).
        register_signable(
            ChangeRequest,
            permission="changes.view_changerequest",
            meanings=[
                SignatureMeaning.AUTHORED,
                SignatureMeaning.APPROVED,
                SignatureMeaning.REJECTED,
                SignatureMeaning.RELEASED,
                SignatureMeaning.VERIFIED,
            ],
            standalone=False,
        )
        register_record_type(
            "changes.changerequest", selectors.change_url, selectors.change_for_history
        )
