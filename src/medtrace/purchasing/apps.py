from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "medtrace.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.purchasing import selectors
        from medtrace.purchasing.models import Receipt, SourceException

        register(
            NavItem(
                "inventory",
                _("Purchase orders"),
                "purchasing:order-list",
                "purchasing.view_purchaseorder",
            ),
            NavItem(
                "inventory",
                _("Expected receipts"),
                "purchasing:expected",
                "purchasing.view_purchaseorder",
            ),
            NavItem(
                "inventory", _("Receipts"), "purchasing:receipt-list", "purchasing.view_receipt"
            ),
        )
        # Signed only through their services: the QA manager's exception for a conditional
        # source, QA's release of a received lot.
        register_signable(
            SourceException,
            permission="purchasing.approve_sourceexception",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
        register_signable(
            Receipt,
            permission="purchasing.release_receipt",
            meanings=[SignatureMeaning.RELEASED],
            standalone=False,
        )
        register_record_type(
            "purchasing.purchaseorder", selectors.order_url, selectors.order_for_history
        )
        register_record_type(
            "purchasing.receipt", selectors.receipt_url, selectors.receipt_for_history
        )
