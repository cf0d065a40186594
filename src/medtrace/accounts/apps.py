from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "medtrace.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from medtrace.accounts import checks  # noqa: F401  (registers the system check)
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem("admin", _("Users"), "accounts:user-list", "accounts.view_user"),
            NavItem("admin", _("API tokens"), "accounts:token-list", "accounts.view_apitoken"),
        )
