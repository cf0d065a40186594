"""The partners' records: suppliers with their certificates and the items they are approved
to supply, and customers with their GSP licence."""

from medtrace.partners.models.customers import Customer, validate_gln
from medtrace.partners.models.suppliers import ApprovedSource, Supplier, SupplierCertificate

__all__ = ["ApprovedSource", "Customer", "Supplier", "SupplierCertificate", "validate_gln"]
