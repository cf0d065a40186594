from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.equipment.models import Equipment


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "site", "equipment_type", "status", "calibration_due_on")
    list_filter = ("site", "equipment_type", "status")
    search_fields = ("code", "name", "name_en", "serial_number")
