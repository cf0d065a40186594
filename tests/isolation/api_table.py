"""The matrix for the REST API. An operation whose path has parameters is matched by the
longest entry below that starts its path (or by its own "METHOD path" entry): a record whose
URL parameters the entry reads from a demo record, a listing, or an exemption. An operation
without path parameters lists, searches or creates: test_api asks it as each outsider and
looks for demo identifiers in the answer, so it needs no entry."""

from operator import attrgetter

from django.apps import apps

from medtrace.analytics.choices import ReportKind
from medtrace.exchange.choices import ImportKind
from medtrace.recall.reports import offered
from medtrace.udi.choices import Database

from .page_table import NO_FILE, PERSONAL, each, first
from .routes import Exempt, Record, coded, listing, record


def device_identifier_of(order) -> str:
    return apps.get_model("catalog.DeviceIdentifier").objects.filter(item=order.item).first().value


def first_delivery(subscription) -> int:
    return subscription.deliveries.order_by("pk").first().sequence


PK = attrgetter("pk")
A_LOT = "SZ01-25340-001"

# Values of required query parameters, by name: demo identifiers, so that a trace, a scan or
# a lookup is asked about a record of the demo plant.
QUERY_VALUES = {
    "epc": "https://id.gs1.org/00/095060000001560013",
    "code": A_LOT,
    "q": A_LOT,
    "lot": A_LOT,
    "lot_number": A_LOT,
    "item": "ST-1001",
    "supplier": "SUP-SHTYV",
    "series": "1",
}

# The body built from the schema names a row the demo lacks (an item "x", site 1, operation 1
# already started): the insider's 404 is about that row, so only the outsiders' answers count.
BODY_NAMES_NO_ROW = "the generated body names a row the demo lacks, so everyone gets 404"

# Site records named by organization-wide data as part of itself (see page_table.MENTIONS).
MENTIONS = {"GET /partners/suppliers": {"CAPA-2026-0001"}}

KNOWN_LEAKS: dict[str, str] = {}

API = {
    "users/{user_id}": record(
        "accounts.User",
        where={"username": "operator"},
        user_id=PK,
        membership_id=first("memberships"),
    ),
    "tokens/{token_id}": record("accounts.ApiToken", token_id=PK, unreached=PERSONAL),
    "sites/{code}": coded("org.Site"),
    "locations/{location_id}": record("org.Location", location_id=PK),
    "jobs/{job_id}": record("jobs.Job", where={"organization__isnull": False}, job_id=PK),
    "audit/entries/{entry_id}": record(
        "audit.AuditEntry", where={"site__isnull": False}, entry_id=PK
    ),
    "audit/history/{object_type}": record(
        "quality.Nonconformance", object_type="quality.nonconformance", object_id=PK
    ),
    "signatures/{object_type}": record(
        "quality.Nonconformance", object_type="quality.nonconformance", object_id=PK
    ),
    "audit/reviews/{review_id}": record("audit.AuditReview", review_id=PK),
    "catalog/items/{code}": coded("catalog.Item", where={"boms__isnull": False}),
    "catalog/device-identifiers/{value}": coded("catalog.DeviceIdentifier", key="value"),
    "catalog/lot-rules/{pk}": record("catalog.LotNumberRule"),
    "catalog/boms/{pk}": record("catalog.Bom"),
    "catalog/routings/{pk}": record("catalog.Routing"),
    "partners/suppliers/{code}": coded("partners.Supplier", name="approve"),
    "partners/certificates/{pk}": record("partners.SupplierCertificate", unreached=NO_FILE),
    "partners/items/{code}": coded("catalog.Item"),
    "partners/customers/{code}": coded("partners.Customer"),
    "partners/supplier-evaluations/{pk}": record("partners.SupplierEvaluation"),
    "partners/supplier-audits/{pk}": record("partners.SupplierAudit", name="conclude"),
    "partners/audit-findings/{pk}": record("partners.AuditFinding", owner=attrgetter("audit")),
    "equipment/{pk}": record("equipment.Equipment"),
    "equipment/calibrations/{pk}": record("equipment.CalibrationRecord", name="verify"),
    "equipment/impact-reviews/{pk}": record("equipment.ImpactReview", name="conclude"),
    "equipment/maintenance-plans/{pk}": record("equipment.MaintenancePlan"),
    "quality/ncrs/{pk}": record(
        "quality.Nonconformance",
        where={"dispositions__isnull": False},
        disposition=first("dispositions"),
        name="start_review",
    ),
    "quality/inspection-plans/{pk}": record("quality.InspectionPlan"),
    "quality/inspections/{pk}": record("quality.InspectionRecord", name="complete"),
    "quality/deviations/{pk}": record("quality.Deviation", name="approve"),
    "quality/capas/{pk}": record("quality.Capa", name="start_implementation"),
    # The generated body names owner 1, a user of the demo site on SQLite but not on PostgreSQL
    # (its sequences run on across the restored test databases): the insider may get the 404
    # of the owner, not of the CAPA.
    "POST /quality/capas/{pk}/actions": record(
        "quality.Capa", unreached="the generated owner id is not a person of the CAPA's site"
    ),
    "quality/capa-actions/{pk}": record("quality.CapaAction", owner=attrgetter("capa")),
    "quality/complaints/{pk}": record(
        "quality.Complaint",
        where={"reports__isnull": False},
        report_pk=first("reports"),
        name="start_investigation",
    ),
    "GET /quality/complaints/{pk}/closure-letter": record(
        "quality.Complaint", where={"closure_letter__gt": ""}
    ),
    "GET /equipment/calibrations/{pk}/impact": record(
        "equipment.CalibrationRecord", where={"impact_review__isnull": False}
    ),
    **dict.fromkeys(
        [
            "POST /production/work-orders/{pk}/labels/{di}/print",
            "POST /production/work-orders/{pk}/labels/{di}/reconcile",
        ],
        record(
            "production.WorkOrder",
            where={"item__device_identifiers__isnull": False},
            di=device_identifier_of,
        ),
    ),
    "documents/documents/{pk}": record("documents.ControlledDocument"),
    "documents/revisions/{pk}": record(
        "documents.DocumentRevision", owner=attrgetter("document"), name="submit"
    ),
    "GET /documents/revisions/{pk}/file": record(
        "documents.DocumentRevision", owner=attrgetter("document"), unreached=NO_FILE
    ),
    "documents/generated/{pk}": record("documents.GeneratedDocument"),
    "documents/approval-routes/{document_type}": Exempt(
        "sets the caller's own organization's approval route for a document type: no record"
    ),
    "training/curricula/{pk}": record("training.Curriculum"),
    "training/assignments/{pk}": record("training.TrainingAssignment"),
    "changes/{pk}": record(
        "changes.ChangeRequest",
        where={"tasks__isnull": False},
        task_pk=first("tasks"),
        name="submit",
    ),
    "exchange/imports/{pk}": record("exchange.ImportBatch"),
    "exchange/exports/{kind}": listing(*each("kind", ImportKind.values)),
    "exchange/templates/{kind}": listing(*each("kind", ImportKind.values), shows_records=False),
    "epcis/epcs/{epc}": listing({"epc": QUERY_VALUES["epc"]}),
    "epcis/queries/{name}": coded(
        "integration.EpcisQuery",
        key="name",
        subscription_id=lambda query: query.subscriptions.order_by("pk").first().public_id,
    ),
    # The neighbour shares the organization's queries, and may delete one before the insider.
    "DELETE /epcis/queries/{name}": coded(
        "integration.EpcisQuery", key="name", unreached="the neighbour deletes it first"
    ),
    **{
        name: Record(entry.model, entry.params, entry.where, entry.owner, BODY_NAMES_NO_ROW)
        for name, entry in {
            "POST /catalog/lot-rules/{pk}/preview": record("catalog.LotNumberRule"),
            "POST /changes/{pk}/tasks": record("changes.ChangeRequest"),
            "POST /partners/audit-findings/{pk}/capa": record(
                "partners.AuditFinding", owner=attrgetter("audit")
            ),
            "POST /partners/suppliers/{code}/approved-sources": coded("partners.Supplier"),
            "POST /production/work-orders/{pk}/consumptions/{consumption_pk}/take-back": record(
                "production.WorkOrder",
                where={"consumptions__isnull": False},
                consumption_pk=first("consumptions"),
            ),
            "POST /production/work-orders/{pk}/operations/{position}/start": record(
                "production.WorkOrder", position=1
            ),
            "POST /production/work-orders/{pk}/operations/{position}/finish": record(
                "production.WorkOrder", position=1
            ),
            "POST /purchasing/orders/{pk}/lines": record("purchasing.PurchaseOrder"),
            "POST /users/{user_id}/roles": record(
                "accounts.User", where={"username": "operator"}, user_id=PK
            ),
        }.items()
    },
    "inventory/counts/{pk}": record("inventory.CycleCount"),
    "purchasing/orders/{pk}": record("purchasing.PurchaseOrder", name="release"),
    "purchasing/lines/{pk}": record("purchasing.PurchaseOrderLine", owner=attrgetter("order")),
    "purchasing/receipts/{pk}": record("purchasing.Receipt"),
    "shipping/orders/{pk}": record(
        "shipping.ShipmentOrder",
        where={"picks__isnull": False},
        pick_id=first("picks"),
        name="release",
    ),
    "shipping/delivery-confirmations/{token}": Exempt(
        "a customer's signed delivery link: the token decides, not the caller"
    ),
    "shipping/customers/{code}": coded("partners.Customer"),
    "shipping/returns/{pk}": record("shipping.ReturnAuthorization", line_id=first("lines")),
    "production/work-orders/{pk}": record(
        "production.WorkOrder",
        where={"consumptions__isnull": False},
        position=1,
        consumption_pk=first("consumptions"),
        di=device_identifier_of,
    ),
    "recalls/{pk}": record(
        "recall.Recall",
        where={"notices__isnull": False},
        notice_id=first("notices"),
        name="approve",
    ),
    "recalls/{ref}": record(
        "recall.Recall",
        where={"drill": False},
        ref=attrgetter("number"),
        kind=lambda recall: offered(recall)[0].kind.slug,
    ),
    "GET /recalls/{ref}/drill-report": record(
        "recall.Recall", where={"drill": True}, ref=attrgetter("number")
    ),
    "analytics/suppliers/{code}": coded("partners.Supplier"),
    "analytics/risk/lots/{lot_id}": record("trace.Lot", lot_id=PK),
    "analytics/complaint-trends/{item_id}": record(
        "catalog.Item", where={"code": "ST-1001"}, item_id=PK
    ),
    "analytics/reports/{report}": listing(*each("report", ReportKind.values)),
    "analytics/reports/subscriptions/{subscription_id}": record(
        "analytics.ReportSubscription", subscription_id=PK, unreached=PERSONAL
    ),
    "integration/subscriptions/{subscription_id}": record(
        "integration.Subscription",
        where={"deliveries__isnull": False},
        subscription_id=PK,
        sequence=first_delivery,
    ),
    "udi/databases/{database}": listing(*each("database", Database.values)),
    "udi/submissions/{submission_id}": record("udi.Submission", submission_id=PK),
}
