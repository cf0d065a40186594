from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "medtrace.partners"
    label = "partners"
    verbose_name = _("Suppliers and customers")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.partners import selectors
        from medtrace.partners.models import QualificationDecision, SupplierAudit

        register(
            NavItem(
                "masterdata", _("Suppliers"), "partners:supplier-list", "partners.view_supplier"
            ),
            NavItem(
                "masterdata",
                _("Approved supplier list"),
                "partners:approved-source-list",
                "partners.view_approvedsource",
            ),
            NavItem(
                "masterdata", _("Customers"), "partners:customer-list", "partners.view_customer"
            ),
        )
        # Signed through their actions only: a supplier's decision by the QA manager, an
        # audit's conclusion by whoever conducts audits.
        register_signable(
            QualificationDecision,
            permission="partners.approve_supplier",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
        register_signable(
            SupplierAudit,
            permission="partners.change_supplieraudit",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
        register_record_type(
            "partners.supplier", selectors.supplier_url, selectors.supplier_for_history
        )
        register_record_type(
            "partners.customer", selectors.customer_url, selectors.customer_for_history
        )
        register_record_type(
            "partners.supplierevaluation",
            selectors.evaluation_url,
            selectors.evaluation_for_history,
        )
        register_record_type(
            "partners.supplieraudit", selectors.audit_url, selectors.audit_for_history
        )
