"""Suppliers, their certificates and approved sources, their qualification (lifecycle,
evaluations, audits), and customers: the writes, each in one transaction with its audit entry.
A supplier's qualification status changes only through its lifecycle
(services.qualification, partners.workflows.SUPPLIER); set_supplier_status takes the action
that leads to a status."""

from medtrace.partners.services.customers import CUSTOMER_FIELDS, create_customer, update_customer
from medtrace.partners.services.qualification import (
    approve,
    approve_conditionally,
    disqualify,
    lapse_expired_certificates,
    lift_conditions,
    reevaluate,
    requalify,
    set_supplier_status,
    start_evaluation,
    take_action,
)
from medtrace.partners.services.suppliers import (
    CERTIFICATE_FIELDS,
    SUPPLIER_FIELDS,
    add_certificate,
    approve_source,
    create_supplier,
    update_certificate,
    update_supplier,
)

__all__ = [
    "CERTIFICATE_FIELDS",
    "CUSTOMER_FIELDS",
    "SUPPLIER_FIELDS",
    "add_certificate",
    "approve",
    "approve_conditionally",
    "approve_source",
    "create_customer",
    "create_supplier",
    "disqualify",
    "lapse_expired_certificates",
    "lift_conditions",
    "reevaluate",
    "requalify",
    "set_supplier_status",
    "start_evaluation",
    "take_action",
    "update_certificate",
    "update_customer",
    "update_supplier",
]
