from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "medtrace.equipment"
    label = "equipment"
    verbose_name = _("Equipment")

    def ready(self):
        from medtrace.audit.selectors import register_record_type
        from medtrace.core.navigation import NavItem, register
        from medtrace.equipment import selectors

        register(
            NavItem(
                "masterdata", _("Equipment"), "equipment:equipment-list", "equipment.view_equipment"
            )
        )
        register_record_type(
            "equipment.equipment", selectors.equipment_url, selectors.equipment_for_history
        )
