"""The matrix for the HTML pages and downloads: every named URL pattern outside the REST API and
the admin, keyed by its name, and what the isolation tests do with it (see routes.py for the
kinds of entry). A new route without an entry here fails test_coverage."""

from operator import attrgetter

from medtrace.analytics.choices import ReportFormat, ReportKind
from medtrace.analytics.home import TILES
from medtrace.exchange.choices import FileFormat, ImportKind
from medtrace.inventory.services.floor import Task
from medtrace.jobs.choices import JobStatus
from medtrace.recall.notice_views import NOTICE_FORMS
from medtrace.recall.reports import offered
from medtrace.shipping.documents import TEMPLATES as SHIPPING_DOCUMENTS
from medtrace.udi.choices import Database

from .routes import Exempt, coded, form, listing, record


def first(relation: str):
    """The pk of the record's first related row, e.g. a work order's first operation."""
    return lambda owner: attrgetter(relation)(owner).order_by("pk").first().pk


def each(name: str, values) -> tuple[dict, ...]:
    return tuple({name: value} for value in values)


def grid(first_name: str, firsts, second_name: str, seconds) -> tuple[dict, ...]:
    return tuple({first_name: a, second_name: b} for a in firsts for b in seconds)


# Home tiles that count organization-wide records (supplier certificates).
SHARED_PERMS = {"partners.view_suppliercertificate"}

PERSONAL = "a person's own record: only its owner reaches it"
NO_FILE = "the demo plant uploads no such file, so the route answers 404 to everyone"

# Site records that organization-wide data names as part of itself: the change that released a
# BOM version, a supplier's approval conditions quoting the CAPA they wait for (written by a
# person), and examples in a form's help text that happen to equal a demo identifier.
RELEASED_UNDER = {"ECO-2026-0001"}
MENTIONS = {
    "catalog:bom-detail": RELEASED_UNDER,
    "catalog:bom-lines": RELEASED_UNDER,
    "catalog:routing-detail": RELEASED_UNDER,
    # The entries of organization-wide records carry the same mentions (and the work
    # instructions a routing operation names).
    "audit:export": {
        "CAPA-2026-0001",
        "ECO-2026-0001",
        "ECO-2026-0002",
        "WI-0002",
        "WI-0003",
        "WI-0004",
    },
    "quality:inbox": {"CAPA-2026-0001"},
    "partners:approved-source-list": {"CAPA-2026-0001"},
    "documents:document-create": {"SOP-0007"},
    "labels:sscc": {"19506000100118"},
}

# Leaks the matrix found and that are not fixed yet (see docs/architecture.md, Isolation):
# expected to fail, strictly, so a fix makes the entry go.
KNOWN_LEAKS: dict[str, str] = {}

# A delivery is addressed by its subscription and sequence; what it carries is of the site
# whose event it delivers.
A_DELIVERY = record(
    "integration.Delivery",
    pk=attrgetter("subscription_id"),
    sequence=attrgetter("sequence"),
    owner=attrgetter("message"),
)

PAGES = {
    # core and navigation
    "core:home": listing(),
    "core:tile-count": listing(
        *each("key", [tile.key for tile in TILES]),
        shows_records=False,
        shared_counts=each("key", [tile.key for tile in TILES if tile.perm in SHARED_PERMS]),
    ),
    "core:search": listing({"q": "SZ01-25340-001"}, {"q": "263390000001"}, {"q": "WO-2026"}),
    "set_language": Exempt("switches the interface language; reads no record"),
    # accounts (people are organization-wide; a site's administrators manage its people)
    "accounts:login": Exempt("the sign-in form, before anyone is known"),
    "accounts:login-verify": Exempt("the second sign-in step, before anyone is signed in"),
    "accounts:logout": Exempt("ends the caller's own session"),
    "accounts:mfa-setup": form(),
    "accounts:mfa-recovery-codes": form(),
    "accounts:mfa-remove": form(),
    "accounts:user-mfa-reset": record("accounts.User", where={"username": "operator"}),
    "accounts:password-change": form(),
    "accounts:profile": form(),
    "accounts:user-list": listing(),
    "accounts:user-create": form(),
    "accounts:user-detail": record("accounts.User", where={"username": "operator"}),
    "accounts:user-grant-role": record("accounts.User", where={"username": "operator"}),
    "accounts:user-revoke-role": record(
        "accounts.User", where={"username": "operator"}, membership_pk=first("memberships")
    ),
    "accounts:user-set-active": record("accounts.User", where={"username": "operator"}),
    "accounts:user-unlock": record("accounts.User", where={"username": "operator"}),
    "accounts:token-list": listing(shows_records=False),
    "accounts:token-revoke": record("accounts.ApiToken", unreached=PERSONAL),
    # org
    "org:switch-site": form(),
    "org:site-list": listing(),
    "org:site-create": form(),
    "org:site-detail": coded("org.Site"),
    "org:location-create": coded("org.Site"),
    "org:location-detail": record("org.Location"),
    "org:location-edit": record("org.Location"),
    "org:location-set-active": record("org.Location"),
    # jobs
    "jobs:job-list": listing(),
    "jobs:job-list-status": listing(*each("status", JobStatus.values)),
    "jobs:job-run-now": form(),
    "jobs:job-detail": record("jobs.Job", where={"organization__isnull": False}),
    "jobs:job-retry": record("jobs.Job", where={"organization__isnull": False}),
    # catalog (organization-wide master data)
    "catalog:item-list": listing(),
    "catalog:item-create": form(),
    "catalog:item-by-id": record("catalog.Item"),
    "catalog:item-detail": coded("catalog.Item"),
    "catalog:item-edit": coded("catalog.Item"),
    "catalog:item-set-active": coded("catalog.Item"),
    "catalog:device-identifier-create": coded("catalog.Item"),
    "catalog:device-identifier-detail": record("catalog.DeviceIdentifier"),
    "catalog:device-identifier-edit": record("catalog.DeviceIdentifier"),
    "catalog:device-identifier-set-active": record("catalog.DeviceIdentifier"),
    "catalog:bom-detail": record("catalog.Bom"),
    "catalog:bom-lines": record("catalog.Bom"),
    "catalog:bom-obsolete": record("catalog.Bom"),
    "catalog:bom-compare": record("catalog.Bom", version=attrgetter("version")),
    "catalog:bom-create": coded("catalog.Item", where={"boms__isnull": False}),
    "catalog:routing-detail": record("catalog.Routing"),
    "catalog:routing-operation-add": record("catalog.Routing"),
    "catalog:routing-operation-edit": record("catalog.Routing", position=1),
    "catalog:routing-operation-remove": record("catalog.Routing", position=1),
    "catalog:routing-obsolete": record("catalog.Routing"),
    "catalog:routing-compare": record("catalog.Routing", version=attrgetter("version")),
    "catalog:routing-create": coded("catalog.Item", where={"routings__isnull": False}),
    "catalog:lot-rule-list": listing(),
    "catalog:lot-rule-create": form(),
    "catalog:lot-rule-preview": form(),
    "catalog:lot-rule-edit": record("catalog.LotNumberRule"),
    # partners (suppliers and customers are organization-wide)
    "partners:supplier-list": listing(),
    "partners:supplier-create": form(),
    "partners:supplier-by-id": record("partners.Supplier"),
    "partners:supplier-action": record("partners.Supplier", name="approve"),
    "partners:supplier-detail": coded("partners.Supplier"),
    "partners:supplier-edit": coded("partners.Supplier"),
    "partners:certificate-create": coded("partners.Supplier"),
    "partners:approved-source-create": coded("partners.Supplier"),
    "partners:audit-create": coded("partners.Supplier"),
    "partners:certificate-expiring": listing(),
    "partners:certificate-file": record("partners.SupplierCertificate", unreached=NO_FILE),
    "partners:approved-source-list": listing(),
    "partners:evaluation-detail": record("partners.SupplierEvaluation"),
    "partners:evaluation-answers": record("partners.SupplierEvaluation"),
    "partners:evaluation-edit": record("partners.SupplierEvaluation"),
    "partners:audit-detail": record("partners.SupplierAudit"),
    "partners:audit-edit": record("partners.SupplierAudit"),
    "partners:audit-report": record("partners.SupplierAudit"),
    "partners:finding-create": record("partners.SupplierAudit"),
    "partners:audit-action": record("partners.SupplierAudit", name="conclude"),
    "partners:finding-close": record("partners.AuditFinding", owner=attrgetter("audit")),
    "partners:finding-capa": record("partners.AuditFinding", owner=attrgetter("audit")),
    "partners:customer-list": listing(),
    "partners:customer-create": form(),
    "partners:customer-by-id": record("partners.Customer"),
    "partners:customer-detail": coded("partners.Customer"),
    "partners:customer-edit": coded("partners.Customer"),
    # equipment (site-owned)
    "equipment:equipment-list": listing(),
    "equipment:equipment-create": form(),
    "equipment:equipment-detail": record("equipment.Equipment"),
    "equipment:equipment-edit": record("equipment.Equipment"),
    "equipment:equipment-status": record("equipment.Equipment"),
    "equipment:state-record": record("equipment.Equipment"),
    "equipment:calibration-create": record("equipment.Equipment"),
    "equipment:maintenance-create": record("equipment.Equipment"),
    "equipment:plan-create": record("equipment.Equipment"),
    "equipment:calibration-detail": record("equipment.CalibrationRecord"),
    "equipment:calibration-certificate": record("equipment.CalibrationRecord", unreached=NO_FILE),
    "equipment:calibration-action": record("equipment.CalibrationRecord", action="verify"),
    "equipment:impact-review": record("equipment.ImpactReview"),
    "equipment:impact-open": record("equipment.ImpactReview"),
    "equipment:impact-assessment": record("equipment.ImpactReview"),
    "equipment:impact-action": record("equipment.ImpactReview", action="conclude"),
    # exchange (import batches belong to the organization; exports read the reader's sites)
    "exchange:batch-list": listing(shows_records=False),
    "exchange:upload": form(),
    "exchange:batch-detail": record("exchange.ImportBatch"),
    "exchange:batch-apply": record("exchange.ImportBatch"),
    "exchange:batch-revalidate": record("exchange.ImportBatch"),
    "exchange:batch-discard": record("exchange.ImportBatch"),
    "exchange:batch-file": record("exchange.ImportBatch"),
    "exchange:export": listing(*grid("kind", ImportKind.values, "fmt", FileFormat.values)),
    "exchange:template": listing(
        *grid("kind", ImportKind.values, "fmt", FileFormat.values), shows_records=False
    ),
    # integration (subscriptions and EPCIS queries belong to the organization)
    "integration:subscription-list": listing(),
    "integration:subscription-create": form(),
    "integration:subscription-detail": record("integration.Subscription"),
    "integration:subscription-edit": record("integration.Subscription"),
    "integration:subscription-activity": record("integration.Subscription"),
    "integration:subscription-rotate": record("integration.Subscription"),
    "integration:subscription-test": record("integration.Subscription"),
    "integration:delivery-detail": A_DELIVERY,
    "integration:delivery-redeliver": A_DELIVERY,
    "integration:query-list": listing(),
    "integration:query-create": form(),
    "integration:query-retire": record("integration.EpcisQuery"),
    # UDI databases (the registrant and submissions belong to the organization)
    "udi:overview": listing(),
    "udi:registrant": form(),
    "udi:submission-detail": record("udi.Submission"),
    "udi:submission-file": record("udi.Submission"),
    "udi:submission-submitted": record("udi.Submission"),
    "udi:submission-rejected": record("udi.Submission"),
    "udi:database": listing(*each("database", Database.values)),
    # labels
    "labels:device": record("catalog.DeviceIdentifier"),
    "labels:sscc": form(),
    # trace
    "trace:scan": listing({"q": "SZ01-25340-001"}, {"q": "263390000001"}, shows_records=False),
    "trace:object": record("trace.TraceObject"),
    "trace:graph": record("trace.TraceObject"),
    "trace:panel": record("trace.TraceObject", direction="forward"),
    "trace:csv": record("trace.TraceObject", direction="forward"),
    "trace:pdf": record("trace.TraceObject", direction="forward"),
    # shipping
    "shipping:order-list": listing(),
    "shipping:order-create": form(),
    "shipping:order-detail": record("shipping.ShipmentOrder"),
    "shipping:order-action": record("shipping.ShipmentOrder", action="release"),
    "shipping:order-delivery": record("shipping.ShipmentOrder"),
    "shipping:pick": record("shipping.ShipmentOrder"),
    "shipping:pick-scan": record("shipping.ShipmentOrder"),
    "shipping:pick-progress": record("shipping.ShipmentOrder"),
    "shipping:pick-put-back": record(
        "shipping.ShipmentOrder", where={"picks__isnull": False}, pick_id=first("picks")
    ),
    "shipping:pack": record("shipping.ShipmentOrder"),
    "shipping:pack-scan": record("shipping.ShipmentOrder"),
    "shipping:pack-close": record("shipping.ShipmentOrder"),
    "shipping:pack-pending": record("shipping.ShipmentOrder"),
    "shipping:document": record("shipping.ShipmentOrder", kind=next(iter(SHIPPING_DOCUMENTS))),
    "shipping:label": record("shipping.Package"),
    "shipping:return-create": record("shipping.ShipmentOrder"),
    "shipping:return-list": listing(),
    "shipping:return-detail": record("shipping.ReturnAuthorization"),
    "shipping:return-receive": record("shipping.ReturnAuthorization"),
    "shipping:return-decide": record("shipping.ReturnAuthorization", line_id=first("lines")),
    "shipping:terms": listing(shows_records=False),
    "shipping:confirm": Exempt("a customer's signed delivery link: the token, not a session"),
    # production
    "production:workorder-list": listing(),
    "production:workorder-detail": record("production.WorkOrder"),
    "production:workorder-release": record("production.WorkOrder"),
    "production:workorder-cancel": record("production.WorkOrder"),
    "production:workorder-schedule": listing(),
    "production:operation-start": record("production.WorkOrder", operation=first("operations")),
    "production:operation-finish": record("production.WorkOrder", operation=first("operations")),
    "production:operation-reading": record("production.WorkOrder", operation=first("operations")),
    "production:labels-print": record("production.WorkOrder"),
    "production:labels-reconcile": record("production.WorkOrder"),
    "production:consumption-take-back": record(
        "production.WorkOrder",
        where={"consumptions__isnull": False},
        consumption=first("consumptions"),
    ),
    "production:workorder-complete": record("production.WorkOrder"),
    "production:workorder-release-lot": record("production.WorkOrder"),
    "production:floor": listing(),
    "production:floor-station": record("production.WorkOrder"),
    "production:floor-panel": record("production.WorkOrder"),
    "production:floor-scan": record("production.WorkOrder"),
    "production:floor-output": record("production.WorkOrder"),
    "production:floor-start": record("production.WorkOrder", operation=first("operations")),
    "production:floor-finish": record("production.WorkOrder", operation=first("operations")),
    "production:floor-reading": record("production.WorkOrder", operation=first("operations")),
    "production:dhr": record("production.WorkOrder"),
    "production:dhr-pdf": record("production.WorkOrder"),
    "production:dhr-unit": record(
        "production.WorkOrder",
        where={"lot__units__isnull": False},
        serial=lambda order: order.lot.units.order_by("pk").first().serial,
    ),
    "production:dhr-unit-pdf": record(
        "production.WorkOrder",
        where={"lot__units__isnull": False},
        serial=lambda order: order.lot.units.order_by("pk").first().serial,
    ),
    # recall
    "recall:recall-list": listing(),
    "recall:recall-create": form(),
    "recall:recall-detail": record("recall.Recall"),
    "recall:recall-rescope": record("recall.Recall"),
    "recall:recall-action": record("recall.Recall", action="approve"),
    "recall:notices-prepare": record("recall.Recall"),
    "recall:notices-send": record("recall.Recall"),
    "recall:notice-add": record("recall.Recall"),
    "recall:notice-detail": record(
        "recall.Recall", where={"notices__isnull": False}, notice=first("notices")
    ),
    "recall:notice-resend": record(
        "recall.Recall", where={"notices__isnull": False}, notice=first("notices")
    ),
    "recall:notice-letter": record(
        "recall.Recall", where={"notices__isnull": False}, notice=first("notices")
    ),
    "recall:notice-action": record(
        "recall.Recall",
        where={"notices__isnull": False},
        notice=first("notices"),
        action=next(iter(NOTICE_FORMS)),
    ),
    "recall:acknowledge": Exempt("a consignee's signed acknowledgement link: the token decides"),
    "recall:recall-capa": record("recall.Recall"),
    "recall:recall-hold": record("recall.Recall"),
    "recall:drill-report": record("recall.Recall", where={"drill": True}),
    "recall:drill-report-pdf": record("recall.Recall", where={"drill": True}),
    "recall:recall-report": record(
        "recall.Recall", where={"drill": False}, kind=lambda recall: offered(recall)[0].kind.slug
    ),
    # inventory
    "inventory:stock-list": listing(),
    "inventory:expiry": listing(),
    "inventory:count-list": listing(),
    "inventory:count-detail": record("inventory.CycleCount"),
    "inventory:count-record": record("inventory.CycleCount"),
    "inventory:count-post": record("inventory.CycleCount"),
    "inventory:count-cancel": record("inventory.CycleCount"),
    "inventory:floor-home": listing(shows_records=False),
    "inventory:floor-location-labels": listing(shows_records=False),
    "inventory:floor-station": listing(*each("task", Task.values), shows_records=False),
    "inventory:floor-scan": listing(*each("task", Task.values), shows_records=False),
    "inventory:floor-panel": listing(*each("task", Task.values), shows_records=False),
    # purchasing
    "purchasing:order-list": listing(),
    "purchasing:order-create": form(),
    "purchasing:order-detail": record("purchasing.PurchaseOrder"),
    "purchasing:order-add-line": record("purchasing.PurchaseOrder"),
    "purchasing:order-action": record("purchasing.PurchaseOrder", action="release"),
    "purchasing:line-exception": record("purchasing.PurchaseOrderLine", owner=attrgetter("order")),
    "purchasing:receive": record("purchasing.PurchaseOrderLine", owner=attrgetter("order")),
    "purchasing:expected": listing(),
    "purchasing:receipt-list": listing(),
    "purchasing:receipt-detail": record("purchasing.Receipt"),
    "purchasing:receipt-release": record("purchasing.Receipt"),
    "purchasing:receipt-certificate": record("purchasing.Receipt", unreached=NO_FILE),
    "purchasing:receipt-certificate-upload": record("purchasing.Receipt"),
    # quality
    "quality:inbox": listing(),
    "quality:related": record("trace.TraceObject"),
    "quality:ncr-list": listing(),
    "quality:ncr-create": form(),
    "quality:ncr-detail": record("quality.Nonconformance"),
    "quality:ncr-disposition": record("quality.Nonconformance"),
    "quality:ncr-execute": record(
        "quality.Nonconformance",
        where={"dispositions__isnull": False},
        disposition=first("dispositions"),
    ),
    "quality:ncr-action": record("quality.Nonconformance", action="start_review"),
    "quality:plan-list": listing(),
    "quality:plan-create": form(),
    "quality:plan-detail": record("quality.InspectionPlan"),
    "quality:plan-active": record("quality.InspectionPlan"),
    "quality:inspection-list": listing(),
    "quality:inspection-start": form(),
    "quality:inspection-detail": record("quality.InspectionRecord"),
    "quality:inspection-results": record("quality.InspectionRecord"),
    "quality:inspection-action": record("quality.InspectionRecord", action="complete"),
    "quality:deviation-list": listing(),
    "quality:deviation-create": form(),
    "quality:deviation-detail": record("quality.Deviation"),
    "quality:deviation-edit": record("quality.Deviation"),
    "quality:deviation-summary": record("quality.Deviation"),
    "quality:deviation-escalate": record("quality.Deviation"),
    "quality:deviation-action": record("quality.Deviation", action="approve"),
    "quality:capa-list": listing(),
    "quality:capa-create": form(),
    "quality:ncr-escalate": record("quality.Nonconformance"),
    "quality:capa-detail": record("quality.Capa"),
    "quality:capa-investigation": record("quality.Capa"),
    "quality:capa-add-action": record("quality.Capa"),
    "quality:capa-action-done": record(
        "quality.Capa", where={"actions__isnull": False}, action_pk=first("actions")
    ),
    "quality:capa-effectiveness": record("quality.Capa"),
    "quality:capa-transition": record("quality.Capa", action="start_implementation"),
    "quality:complaint-list": listing(),
    "quality:complaint-create": form(),
    "quality:complaint-detail": record("quality.Complaint"),
    "quality:complaint-edit": record("quality.Complaint"),
    "quality:complaint-patient": record("quality.Complaint"),
    "quality:complaint-decision": record("quality.Complaint"),
    "quality:complaint-report": record("quality.Complaint"),
    "quality:complaint-report-pdf": record(
        "quality.Complaint", where={"reports__isnull": False}, report_pk=first("reports")
    ),
    "quality:complaint-letter": record("quality.Complaint", where={"closure_letter__gt": ""}),
    "quality:complaint-link": record("quality.Complaint", kind="ncr"),
    "quality:complaint-action": record("quality.Complaint", action="start_investigation"),
    # documents
    "documents:document-list": listing(),
    "documents:document-create": form(),
    "documents:approval-routes": form(),
    "documents:document-detail": record("documents.ControlledDocument"),
    "documents:document-edit": record("documents.ControlledDocument"),
    "documents:revision-create": record("documents.ControlledDocument"),
    "documents:periodic-review": record("documents.ControlledDocument"),
    "documents:revision-detail": record("documents.DocumentRevision", owner=attrgetter("document")),
    "documents:revision-edit": record("documents.DocumentRevision", owner=attrgetter("document")),
    "documents:revision-action": record(
        "documents.DocumentRevision", owner=attrgetter("document"), name="submit"
    ),
    "documents:revision-print": record("documents.DocumentRevision", owner=attrgetter("document")),
    "documents:revision-file": record(
        "documents.DocumentRevision", owner=attrgetter("document"), unreached=NO_FILE
    ),
    "documents:generated-list": listing(),
    "documents:generated-create": form(),
    "documents:generated-detail": record("documents.GeneratedDocument"),
    "documents:generated-pdf": record("documents.GeneratedDocument"),
    "documents:generated-take-in": record("documents.GeneratedDocument"),
    # training
    "training:matrix": listing(),
    "training:my-training": listing(shows_records=False),
    "training:assignment-list": listing(),
    "training:overdue-list": listing(),
    "training:assignment-create": form(),
    "training:assignment-detail": record("training.TrainingAssignment"),
    "training:read-and-understood": record("training.TrainingAssignment"),
    "training:instructor-led": record("training.TrainingAssignment"),
    "training:curriculum-list": listing(),
    "training:curriculum-create": form(),
    "training:curriculum-detail": record("training.Curriculum"),
    "training:curriculum-edit": record("training.Curriculum"),
    # change control
    "changes:change-list": listing(),
    "changes:change-create": form(),
    "changes:change-detail": record("changes.ChangeRequest"),
    "changes:change-edit": record("changes.ChangeRequest"),
    "changes:change-scope": record("changes.ChangeRequest"),
    "changes:task-add": record("changes.ChangeRequest"),
    "changes:task-done": record(
        "changes.ChangeRequest", where={"tasks__isnull": False}, task_pk=first("tasks")
    ),
    "changes:change-transition": record("changes.ChangeRequest", action="submit"),
    # analytics and dashboards
    "analytics:spc-list": listing(),
    "analytics:spc-chart": listing(shows_records=False),
    "analytics:spc-raise": form(),
    "analytics:supplier-quality": listing(),
    "analytics:supplier-trend": coded("partners.Supplier"),
    "analytics:complaint-trends": listing(),
    "analytics:count-shipped": form(),
    "analytics:complaint-trend": record("catalog.Item", where={"code": "ST-1001"}),
    "analytics:complaint-trend-capa": record("catalog.Item", where={"code": "ST-1001"}),
    "analytics:complaint-trend-report": record("catalog.Item", where={"code": "ST-1001"}),
    "analytics:reports": listing(),
    "analytics:report-download": listing(
        *grid("kind", ReportKind.values, "file_format", ReportFormat.values)
    ),
    "analytics:report-subscription-stop": record(
        "analytics.ReportSubscription", unreached=PERSONAL
    ),
    "analytics:risk-list": listing(),
    "analytics:risk-assess": form(),
    "analytics:lot-risk": record("trace.Lot"),
    "analytics:lot-risk-panel": record("trace.Lot"),
    # audit trail
    "audit-reviews:list": listing(),
    "audit-reviews:create": form(),
    "audit-reviews:detail": record("audit.AuditReview"),
    "audit-reviews:amend": record("audit.AuditReview"),
    "audit-reviews:pdf": record("audit.AuditReview"),
    "audit-signatures:sign": record(
        "quality.Nonconformance", object_type="quality.nonconformance", object_id=attrgetter("pk")
    ),
    "audit:log": listing(),
    "audit:export": listing(),
    "audit:verify": form(),
}
