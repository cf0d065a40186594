from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "medtrace.partners"
    label = "partners"
    verbose_name = _("Suppliers and customers")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.core.navigation import NavItem, register
        from medtrace.partners import selectors

        register(
            NavItem(
                "masterdata", _("Suppliers"), "partners:supplier-list", "partners.view_supplier"
            ),
            NavItem(
                "masterdata", _("Customers"), "partners:customer-list", "partners.view_customer"
            ),
        )
        register_record_type(
            "partners.supplier", selectors.supplier_url, selectors.supplier_for_history
        )
        register_record_type(
            "partners.customer", selectors.customer_url, selectors.customer_for_history
        )
