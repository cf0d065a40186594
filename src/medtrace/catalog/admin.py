from django.contrib import admin

from medtrace.catalog.models import DeviceIdentifier, DeviceIdentifierVersion, Item
from medtrace.core.admin import ReadOnlyAdmin


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "unit", "tracking", "is_active")
    list_filter = ("kind", "tracking", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(DeviceIdentifier)
class DeviceIdentifierAdmin(ReadOnlyAdmin):
    list_display = ("value", "issuing_agency", "item", "packaging_level", "version", "is_active")
    list_filter = ("issuing_agency", "packaging_level", "is_active")
    search_fields = ("value", "brand", "model_number")


@admin.register(DeviceIdentifierVersion)
class DeviceIdentifierVersionAdmin(ReadOnlyAdmin):
    list_display = ("device_identifier", "number", "created_at", "created_by")
