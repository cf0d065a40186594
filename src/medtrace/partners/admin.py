from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.partners.models import (
    ApprovedSource,
    AuditFinding,
    Customer,
    QualificationDecision,
    Supplier,
    SupplierAudit,
    SupplierCertificate,
    SupplierEvaluation,
)


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


@admin.register(SupplierEvaluation)
class SupplierEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "status", "risk_class", "outcome", "opened_at")
    list_filter = ("status", "risk_class")


@admin.register(QualificationDecision)
class QualificationDecisionAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "action", "from_status", "to_status", "decided_by", "decided_at")
    list_filter = ("action", "to_status")


@admin.register(SupplierAudit)
class SupplierAuditAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "kind", "status", "planned_on", "result")
    list_filter = ("status", "kind")


@admin.register(AuditFinding)
class AuditFindingAdmin(ReadOnlyAdmin):
    owner = "audit"
    list_display = ("audit", "sequence", "classification", "status", "due_on", "capa")
    list_filter = ("classification", "status")
