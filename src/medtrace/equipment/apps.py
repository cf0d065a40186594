from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "medtrace.equipment"
    label = "equipment"
    verbose_name = _("Equipment")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.equipment import calibration_selectors, selectors
        from medtrace.equipment.models import CalibrationRecord, ImpactReview

        register(
            NavItem(
                "masterdata", _("Equipment"), "equipment:equipment-list", "equipment.view_equipment"
            )
        )
        register_record_type(
            "equipment.equipment", selectors.equipment_url, selectors.equipment_for_history
        )
        # Signed only through their workflows: a calibration's verification, a review's
        # conclusion.
        register_signable(
            CalibrationRecord,
            permission="equipment.verify_calibrationrecord",
            meanings=[SignatureMeaning.VERIFIED],
            standalone=False,
        )
        register_signable(
            ImpactReview,
            permission="equipment.conclude_impactreview",
            meanings=[SignatureMeaning.APPROVED],
            standalone=False,
        )
        register_record_type(
            "equipment.calibrationrecord",
            calibration_selectors.calibration_url,
            calibration_selectors.calibration_for_history,
        )
        register_record_type(
            "equipment.impactreview",
            calibration_selectors.review_url,
            calibration_selectors.review_for_history,
        )
