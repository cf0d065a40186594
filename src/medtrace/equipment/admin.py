from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.equipment.models import (
    CalibrationRecord,
    Equipment,
    ImpactReview,
    MaintenancePlan,
    MaintenanceRecord,
)


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "site", "equipment_type", "status", "calibration_due_on")
    list_filter = ("site", "equipment_type", "status")
    search_fields = ("code", "name", "name_en", "serial_number")


@admin.register(CalibrationRecord)
class CalibrationRecordAdmin(ReadOnlyAdmin):
    list_display = ("number", "equipment", "performed_on", "result", "status", "next_due_on")
    list_filter = ("site", "result", "status")
    search_fields = ("number", "equipment__code", "certificate_number")


@admin.register(ImpactReview)
class ImpactReviewAdmin(ReadOnlyAdmin):
    list_display = ("calibration", "equipment", "window_start", "window_end", "status")
    list_filter = ("site", "status")


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(ReadOnlyAdmin):
    list_display = ("equipment", "task", "interval_days", "next_due_on", "active")
    list_filter = ("site", "active")


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(ReadOnlyAdmin):
    list_display = ("number", "equipment", "kind", "performed_on", "result")
    list_filter = ("site", "kind", "result")
