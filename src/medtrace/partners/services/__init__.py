"""Suppliers, their certificates and approved sources, and customers: the writes, each in one
transaction with its audit entry. A supplier's qualification status changes only through
set_supplier_status, with a reason."""

from medtrace.partners.services.customers import CUSTOMER_FIELDS, create_customer, update_customer
from medtrace.partners.services.suppliers import (
    SUPPLIER_FIELDS,
    add_certificate,
    approve_source,
    create_supplier,
    set_supplier_status,
    update_supplier,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "SUPPLIER_FIELDS",
    "add_certificate",
    "approve_source",
    "create_customer",
    "create_supplier",
    "set_supplier_status",
    "update_customer",
    "update_supplier",
]
