"""The partners' records: suppliers with their certificates, the items they are approved to
supply and their qualification (evaluations, audits and findings, the decisions that moved
their status), and customers with their GSP licence."""

from medtrace.partners.models.audits import AuditFinding, SupplierAudit
from medtrace.partners.models.customers import Customer, validate_gln
from medtrace.partners.models.qualification import (
    EvaluationAnswer,
    QualificationDecision,
    SupplierEvaluation,
)
from medtrace.partners.models.suppliers import ApprovedSource, Supplier, SupplierCertificate

__all__ = [
    "ApprovedSource",
    "AuditFinding",
    "Customer",
    "EvaluationAnswer",
    "QualificationDecision",
    "Supplier",
    "SupplierAudit",
    "SupplierCertificate",
    "SupplierEvaluation",
    "validate_gln",
]
