from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "medtrace.quality"
    label = "quality"
    verbose_name = _("Quality")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.quality import (
            capa_selectors,
            deviation_selectors,
            inspection_selectors,
            selectors,
        )
        from medtrace.quality.models import Capa, Deviation, InspectionRecord, Nonconformance

        register(
            NavItem("quality", _("My tasks"), "quality:inbox", "quality.view_nonconformance"),
            NavItem(
                "quality", _("Nonconformances"), "quality:ncr-list", "quality.view_nonconformance"
            ),
            NavItem(
                "quality",
                _("Inspections"),
                "quality:inspection-list",
                "quality.view_inspectionrecord",
            ),
            NavItem("quality", _("Deviations"), "quality:deviation-list", "quality.view_deviation"),
            NavItem("quality", _("CAPA"), "quality:capa-list", "quality.view_capa"),
        )
        register_signable(
            Nonconformance,
            permission="quality.approve_nonconformance",
            meanings=[SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED],
            standalone=False,
        )
        for model, permission in (
            (Deviation, "approve_deviation"),
            (Capa, "approve_capa"),
            (InspectionRecord, "add_inspectionrecord"),
        ):
            register_signable(
                model,
                permission=f"quality.{permission}",
                meanings=[SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED],
                standalone=False,
            )
        register_record_type(
            "quality.nonconformance",
            selectors.nonconformance_url,
            selectors.nonconformance_for_history,
        )
        register_record_type(
            "quality.inspectionrecord",
            inspection_selectors.inspection_url,
            inspection_selectors.inspection_for_history,
        )
        register_record_type(
            "quality.inspectionplan",
            inspection_selectors.plan_url,
            inspection_selectors.plan_for_history,
        )
        register_record_type(
            "quality.deviation",
            deviation_selectors.deviation_url,
            deviation_selectors.deviation_for_history,
        )
        register_record_type(
            "quality.capa", capa_selectors.capa_url, capa_selectors.capa_for_history
        )

        from medtrace.quality import complaint_selectors
        from medtrace.quality.models import Complaint

        register(
            NavItem("quality", _("Complaints"), "quality:complaint-list", "quality.view_complaint")
        )
        register_signable(
            Complaint,
            permission="quality.approve_complaint",
            meanings=[SignatureMeaning.APPROVED, SignatureMeaning.VERIFIED],
            standalone=False,
        )
        register_record_type(
            "quality.complaint",
            complaint_selectors.complaint_url,
            complaint_selectors.complaint_for_history,
        )
