from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "medtrace.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.catalog import selectors
        from medtrace.core.navigation import NavItem, register

        register(
            NavItem(
                "masterdata",
                _("Items and device identifiers"),
                "catalog:item-list",
                "catalog.view_item",
            ),
            NavItem(
                "masterdata",
                _("Lot-number rules"),
                "catalog:lot-rule-list",
                "catalog.view_lotnumberrule",
            ),
        )
        register_record_type("catalog.item", selectors.item_url, selectors.item_for_history)
        register_record_type("catalog.bom", selectors.bom_url, selectors.bom_for_history)
        register_record_type(
            "catalog.routing", selectors.routing_url, selectors.routing_for_history
        )

        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.signatures import register_signable
        from medtrace.catalog.models import Bom, Routing

        # Versions approved before change control keep showing their signatures; new ones are
        # released by a change request, whose approvals are signed there.
        for model in (Bom, Routing):
            register_signable(
                model,
                permission="catalog.view_" + model._meta.model_name,
                meanings=[SignatureMeaning.APPROVED],
                standalone=False,
            )
        register_record_type(
            "catalog.deviceidentifier",
            selectors.device_identifier_url,
            selectors.device_identifier_for_history,
        )
