from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "medtrace.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        register(NavItem("admin", _("Sites and locations"), "org:site-list", "org.view_site"))
