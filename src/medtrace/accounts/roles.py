"""Roles and what each may do, declared once.

A role is granted per site (org.Membership). Its permissions are Django permission names
("app_label.codename") or shell-style patterns over them; each later app adds its own
permissions to the roles that need them here. A test checks every pattern still matches a
real permission, so a typo cannot silently grant nothing.
"""

from fnmatch import fnmatchcase
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    QA_MANAGER = "qa_manager", _("QA manager")
    QA_INSPECTOR = "qa_inspector", _("QA inspector")
    PRODUCTION_SUPERVISOR = "production_supervisor", _("Production supervisor")
    OPERATOR = "operator", _("Operator")
    WAREHOUSE_CLERK = "warehouse_clerk", _("Warehouse clerk")
    PURCHASING = "purchasing", _("Purchasing")
    REGULATORY_AFFAIRS = "regulatory_affairs", _("Regulatory affairs")
    AUDITOR = "auditor", _("Auditor (read-only)")


EVERYONE = (
    "org.view_site",
    "org.view_location",
    "accounts.view_apitoken",
    "accounts.add_apitoken",
    # The catalog is organization-wide master data: whoever works anywhere may read it.
    "catalog.view_item",
    "catalog.view_deviceidentifier",
    "catalog.view_lotnumberrule",
    "catalog.view_bom",
    "catalog.view_routing",
    # Suppliers and customers are organization-wide master data too.
    "partners.view_supplier",
    "partners.view_suppliercertificate",
    "partners.view_approvedsource",
    "partners.view_customer",
    # Equipment is site-owned; everyone may read the equipment of their own sites, with its
    # calibration and maintenance records (whether a machine may be used is everyone's
    # business).
    "equipment.view_equipment",
    "equipment.view_calibrationrecord",
    # What is in stock where, and its status, at one's own sites.
    "inventory.view_stock",
    "inventory.view_stockmove",
    "inventory.view_cyclecount",
    "equipment.view_impactreview",
    "equipment.view_maintenanceplan",
    "equipment.view_maintenancerecord",
    "equipment.view_machinestatechange",
    "trace.view_traceobject",
    "trace.view_traceevent",
    "trace.view_party",
    # Nonconformances and inspections are site records everyone on the floor may read;
    # inspection plans are organization-wide master data.
    "quality.view_nonconformance",
    "quality.view_inspectionrecord",
    "quality.view_inspectionplan",
    "quality.view_characteristic",
    "quality.view_deviation",
    "quality.view_capa",
    "quality.view_capaaction",
    "quality.view_complaint",
    "quality.view_complaintreport",
    # Everyone reads the effective revision of the documents in force at their sites, and
    # sees their own training and the training matrix of their sites.
    "documents.view_controlleddocument",
    # Generated documents (quality manual, SOP skeletons, reports) filed at their sites; a
    # report about a record shows only to who may also see that kind of record.
    "documents.view_generateddocument",
    "training.view_curriculum",
    "training.view_trainingassignment",
    "training.view_trainingrecord",
    # Change requests are read by everyone: what is about to change on the line is no secret.
    "changes.view_changerequest",
    # Purchase orders and receipts of their sites: what is coming and what arrived.
    "purchasing.view_purchaseorder",
    "purchasing.view_purchaseorderline",
    "purchasing.view_receipt",
    "purchasing.view_sourceexception",
    # Shipments and returns of their sites: what went to which customer, and what came back.
    "shipping.view_shipmentorder",
    "shipping.view_shipmentline",
    "shipping.view_pick",
    "shipping.view_package",
    "shipping.view_packagecontent",
    "shipping.view_returnauthorization",
    "shipping.view_returnline",
    "shipping.view_customershippingterms",
    "shipping.view_ssccseries",
    # Work orders of their sites: what is being made, to which BOM and routing.
    "production.view_workorder",
    # Recalls and drills of their sites, with their scope.
    "recall.view_recall",
    "recall.view_scopesnapshot",
    "recall.view_scopeentry",
)

# Items and UDI device identifiers are kept by QA and regulatory affairs.
CATALOG_EDITORS = (
    "catalog.add_item",
    "catalog.change_item",
    "catalog.add_deviceidentifier",
    "catalog.change_deviceidentifier",
    "catalog.add_lotnumberrule",
    "catalog.change_lotnumberrule",
    "catalog.add_bom",
    "catalog.change_bom",
    "catalog.add_routing",
    "catalog.change_routing",
)

# UDI database submissions and the registrant's details are regulatory affairs' and QA's.
UDI_SUBMITTERS = (
    "udi.view_submission",
    "udi.add_submission",
    "udi.change_submission",
    "udi.view_registrant",
    "udi.add_registrant",
    "udi.change_registrant",
)

# Suppliers, their certificates and approved sources are kept by QA and purchasing; customers
# by QA and the warehouse (who check a customer's licence before shipping).
SUPPLIER_EDITORS = (
    "partners.add_supplier",
    "partners.change_supplier",
    "partners.add_suppliercertificate",
    "partners.change_suppliercertificate",
    "partners.add_approvedsource",
    "partners.change_approvedsource",
)
CUSTOMER_EDITORS = ("partners.add_customer", "partners.change_customer")
# Purchasing and QA evaluate and audit suppliers; only the QA manager approves, approves with
# conditions and disqualifies them (partners.approve_supplier, by signature).
SUPPLIER_QUALIFIERS = (
    "partners.evaluate_supplier",
    "partners.view_supplierevaluation",
    "partners.change_supplierevaluation",
    "partners.view_supplieraudit",
    "partners.add_supplieraudit",
    "partners.change_supplieraudit",
    "partners.view_qualificationdecision",
)

# Events are recorded by the flows (receiving, production, shipping); capturing EPCIS documents
# by hand or from another system is for QA, production supervisors and the warehouse.
EVENT_RECORDERS = ("trace.add_traceevent",)

# Inspectors (and supervisors, in process) inspect; QA keeps the plans and may cancel.
INSPECTORS = ("quality.add_inspectionrecord",)
INSPECTION_PLANNERS = (
    "quality.add_inspectionplan",
    "quality.change_inspectionplan",
    "quality.change_inspectionrecord",
)
# Supervisors raise deviations on their lines; QA assesses, approves and closes them, and
# owns CAPA (action owners complete their own actions whatever their roles).
DEVIATION_REPORTERS = ("quality.add_deviation",)
QA_DECIDERS = (
    "quality.change_deviation",
    "quality.approve_deviation",
    "quality.add_capa",
    "quality.change_capa",
    "quality.approve_capa",
)
# Whoever finds a nonconformance may report it; QA reviews, decides and approves.
NCR_REPORTERS = ("quality.add_nonconformance",)
NCR_DECIDERS = (
    "quality.change_nonconformance",
    "quality.review_nonconformance",
    "quality.approve_nonconformance",
)
# Complaints are taken by whoever hears them (QA, inspectors, the warehouse receiving a return,
# regulatory affairs); QA and regulatory affairs investigate, decide reportability, report and
# close. Patient involvement is for them only (the auditor's "*.view_*" and the administrator's
# "*" include it too); everyone else sees it masked.
COMPLAINT_RECEIVERS = ("quality.add_complaint",)
COMPLAINT_HANDLERS = (
    "quality.change_complaint",
    "quality.approve_complaint",
    "quality.reveal_patient_data",
)
# Documents are written by QA, production supervisors (work instructions) and regulatory
# affairs, who also read drafts and history; which roles approve a type is its route.
DOCUMENT_AUTHORS = (
    "documents.add_controlleddocument",
    "documents.change_controlleddocument",
    "documents.view_all_revisions",
)
DOCUMENT_APPROVERS = ("documents.approve_document",)
# QA and supervisors train people and assign training; QA keeps the curricula.
TRAINERS = ("training.add_trainingrecord", "training.add_trainingassignment")
CURRICULUM_EDITORS = ("training.add_curriculum", "training.change_curriculum")
# Changes are raised by QA, production supervisors and regulatory affairs, who also approve
# them (a standard change needs all three roles, a fast-track one QA only).
CHANGE_OWNERS = (
    "changes.add_changerequest",
    "changes.change_changerequest",
    "changes.approve_changerequest",
)
# The equipment ledger, its calibrations and maintenance are kept by QA and production
# supervisors; concluding what an out-of-tolerance instrument touched is QA's decision.
EQUIPMENT_EDITORS = (
    "equipment.add_equipment",
    "equipment.add_machinestatechange",
    "equipment.change_equipment",
    "equipment.add_calibrationrecord",
    "equipment.change_calibrationrecord",
    "equipment.verify_calibrationrecord",
    "equipment.change_impactreview",
    "equipment.add_maintenanceplan",
    "equipment.change_maintenanceplan",
    "equipment.add_maintenancerecord",
)

# Moving stock (putaway, transfers, issues) and counting it is the warehouse's work;
# approving a large count adjustment is QA's.
STOCK_MOVERS = ("inventory.add_stockmove", "inventory.add_cyclecount")
STOCK_APPROVERS = ("inventory.approve_cyclecount",)

# Purchasing drafts, releases, cancels and closes orders; the warehouse receives against them;
# QA releases received lots from quarantine, and only the QA manager signs the exception that
# lets a line be bought from a conditionally approved source.
PURCHASERS = (
    "purchasing.add_purchaseorder",
    "purchasing.change_purchaseorder",
    "purchasing.release_purchaseorder",
)
RECEIVERS = ("purchasing.add_receipt",)
LOT_RELEASERS = ("purchasing.release_receipt", "production.release_lot")

# There is no sales role: QA (who answers for what is sold to whom under GSP) keeps the order
# desk: shipment orders, customers' shelf-life terms, return authorizations. The warehouse
# picks, packs, ships and receives returns; QA decides what becomes of returned goods. Either
# may record a delivery the customer confirmed by phone or through their system (API).
ORDER_DESK = (
    "shipping.add_shipmentorder",
    "shipping.change_shipmentorder",
    "shipping.release_shipmentorder",
    "shipping.add_returnauthorization",
    "shipping.add_customershippingterms",
    "shipping.change_customershippingterms",
    "shipping.confirm_delivery",
)
SHIPPERS = (
    "shipping.pick_shipmentorder",
    "shipping.pack_shipmentorder",
    "shipping.ship_shipmentorder",
    "shipping.receive_returnauthorization",
    "shipping.confirm_delivery",
)
RETURN_DECIDERS = (
    "shipping.decide_returnauthorization",
    "shipping.add_ssccseries",
    "shipping.change_ssccseries",
)

# Production supervisors plan, release, cancel and complete work orders; operators (and
# supervisors) perform the operations, consume components, record output and print labels.
WORK_ORDER_PLANNERS = (
    "production.add_workorder",
    "production.release_workorder",
    "production.cancel_workorder",
    "production.complete_workorder",
)
# The floor runs the orders and says what its machines are doing (down, set-up, running).
PRODUCTION_FLOOR = ("production.execute_workorder", "equipment.add_machinestatechange")

# QA and regulatory affairs open and scope recalls and drills; QA managers approve them (the
# holds) and close them.
RECALL_OWNERS = ("recall.add_recall", "recall.change_recall")
RECALL_DECIDERS = ("recall.approve_recall", "recall.close_recall")

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.SYSTEM_ADMIN: ("*",),
    Role.QA_MANAGER: (
        *EVERYONE,
        "org.view_membership",
        "accounts.view_user",
        "audit.view_auditentry",
        "audit.verify_chain",
        "audit.view_auditreview",
        "audit.add_auditreview",
        "audit.change_auditreview",
        "audit.view_signature",
        *CATALOG_EDITORS,
        *UDI_SUBMITTERS,
        *SUPPLIER_EDITORS,
        *SUPPLIER_QUALIFIERS,
        "partners.approve_supplier",
        *CUSTOMER_EDITORS,
        *EQUIPMENT_EDITORS,
        "equipment.conclude_impactreview",
        *EVENT_RECORDERS,
        *NCR_REPORTERS,
        *NCR_DECIDERS,
        *INSPECTORS,
        *INSPECTION_PLANNERS,
        *DEVIATION_REPORTERS,
        *QA_DECIDERS,
        *COMPLAINT_RECEIVERS,
        *COMPLAINT_HANDLERS,
        *DOCUMENT_AUTHORS,
        *DOCUMENT_APPROVERS,
        *CHANGE_OWNERS,
        *TRAINERS,
        *CURRICULUM_EDITORS,
        *STOCK_MOVERS,
        *STOCK_APPROVERS,
        *LOT_RELEASERS,
        "purchasing.approve_sourceexception",
        *ORDER_DESK,
        *RECALL_OWNERS,
        *RECALL_DECIDERS,
        *RETURN_DECIDERS,
    ),
    Role.QA_INSPECTOR: (
        *EVERYONE,
        *NCR_REPORTERS,
        *INSPECTORS,
        *COMPLAINT_RECEIVERS,
        *LOT_RELEASERS,
    ),
    Role.PRODUCTION_SUPERVISOR: (
        *EVERYONE,
        "org.view_membership",
        "accounts.view_user",
        *EQUIPMENT_EDITORS,
        *EVENT_RECORDERS,
        *NCR_REPORTERS,
        *INSPECTORS,
        *DEVIATION_REPORTERS,
        *DOCUMENT_AUTHORS,
        *DOCUMENT_APPROVERS,
        *CHANGE_OWNERS,
        *TRAINERS,
        *WORK_ORDER_PLANNERS,
        *PRODUCTION_FLOOR,
    ),
    Role.OPERATOR: (*EVERYONE, *PRODUCTION_FLOOR),
    Role.WAREHOUSE_CLERK: (
        *EVERYONE,
        "org.add_location",
        "org.change_location",
        *CUSTOMER_EDITORS,
        *EVENT_RECORDERS,
        *NCR_REPORTERS,
        *COMPLAINT_RECEIVERS,
        *STOCK_MOVERS,
        *RECEIVERS,
        *SHIPPERS,
    ),
    Role.PURCHASING: (*EVERYONE, *SUPPLIER_EDITORS, *SUPPLIER_QUALIFIERS, *PURCHASERS),
    Role.REGULATORY_AFFAIRS: (
        *EVERYONE,
        "audit.view_auditentry",
        *CATALOG_EDITORS,
        *UDI_SUBMITTERS,
        *COMPLAINT_RECEIVERS,
        *COMPLAINT_HANDLERS,
        *DOCUMENT_AUTHORS,
        *DOCUMENT_APPROVERS,
        *CHANGE_OWNERS,
        *RECALL_OWNERS,
    ),
    Role.AUDITOR: ("*.view_*", "accounts.add_apitoken"),
}

# Roles whose holders sign or administer; later issues use this for MFA and signing rules.
PRIVILEGED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.QA_MANAGER})


@cache
def role_grants(role: str, perm: str) -> bool:
    # Asked some 40 times a request (menus, buttons, scoping), each answer a scan of the role's
    # patterns: the table is fixed, so each (role, permission) is worked out once per process.
    return any(fnmatchcase(perm, pattern) for pattern in ROLE_PERMISSIONS.get(role, ()))
