from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.partners.models import ApprovedSource, Customer, Supplier, SupplierCertificate


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "status", "country")
    list_filter = ("status",)
    search_fields = ("code", "name", "name_en")


@admin.register(SupplierCertificate)
class SupplierCertificateAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "kind", "number", "valid_until")
    list_filter = ("kind",)


@admin.register(ApprovedSource)
class ApprovedSourceAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "item", "status", "since")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "region", "gln", "licence_valid_until")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_en", "gln")
