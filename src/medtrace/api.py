"""The REST API at /api/v1/: each app's router, mounted once, with token or session auth."""

from ninja.security import django_auth

from medtrace import __version__
from medtrace.accounts.api import router as accounts_router
from medtrace.accounts.auth import ApiTokenAuth
from medtrace.analytics.api import router as analytics_router
from medtrace.audit.api import router as audit_router
from medtrace.audit.signature_api import router as signatures_router
from medtrace.catalog.api import router as catalog_router
from medtrace.changes.api import router as changes_router
from medtrace.core.api import MedtraceAPI, TextParser, install_error_handlers
from medtrace.documents.api import router as documents_router
from medtrace.documents.generation_api import router as generated_documents_router
from medtrace.equipment.api import router as equipment_router
from medtrace.exchange.api import router as exchange_router
from medtrace.integration.api import router as integration_router
from medtrace.integration.epcis_api import router as epcis_queries_router
from medtrace.integration.intake_api import router as intake_router
from medtrace.inventory.api import router as inventory_router
from medtrace.jobs.api import router as jobs_router
from medtrace.labels.api import router as labels_router
from medtrace.org.api import router as org_router
from medtrace.partners.api import router as partners_router
from medtrace.production.api import router as production_router
from medtrace.production.execution_api import router as production_execution_router
from medtrace.production.release_api import router as production_release_router
from medtrace.purchasing.api import router as purchasing_router
from medtrace.quality.api import router as quality_router
from medtrace.recall.api import router as recall_router
from medtrace.recall.notice_api import router as recall_notice_router
from medtrace.scan.api import router as scan_router
from medtrace.shipping.api import router as shipping_router
from medtrace.trace.api import epcis_router, trace_router
from medtrace.training.api import router as training_router
from medtrace.udi.api import router as udi_router

DESCRIPTION = """
medtrace REST API.

**Authentication**: a personal API token (`Authorization: Bearer mt_…`, created under
Administration → API tokens or with `medtrace token create`), or the browser session with
its CSRF token (`X-CSRFToken` header). A token sees only its sites and, unless created
read-write, can only read.

**Errors** always answer `{"error": {"code", "message", "details"}}`; `code` is stable,
`message` is translated (send `Accept-Language: zh-Hans` for Chinese).

**Pagination**: list endpoints take `page` (from 1) and `page_size` (default 50, at most 500)
and answer `{"items": [...], "count": N}`.
"""

api = MedtraceAPI(
    title="medtrace",
    version=__version__,
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[ApiTokenAuth(), django_auth],
    docs_url="/docs",
    parser=TextParser(),
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", org_router)
api.add_router("/jobs", jobs_router)
api.add_router("/audit", audit_router)
api.add_router("/signatures", signatures_router)
api.add_router("/scan", scan_router)
api.add_router("/catalog", catalog_router)
api.add_router("/partners", partners_router)
api.add_router("/equipment", equipment_router)
api.add_router("/quality", quality_router)
api.add_router("/documents", documents_router)
api.add_router("/documents", generated_documents_router)
api.add_router("/training", training_router)
api.add_router("/changes", changes_router)
api.add_router("/labels", labels_router)
api.add_router("/exchange", exchange_router)
api.add_router("/epcis", epcis_router)
api.add_router("/epcis", epcis_queries_router)
api.add_router("/trace", trace_router)
api.add_router("/inventory", inventory_router)
api.add_router("/purchasing", purchasing_router)
api.add_router("/shipping", shipping_router)
api.add_router("/production", production_router)
api.add_router("/production", production_execution_router)
api.add_router("/production", production_release_router)
api.add_router("/recalls", recall_router)
api.add_router("/recalls", recall_notice_router)
api.add_router("/analytics", analytics_router)
api.add_router("/integration", integration_router)
api.add_router("/integration", intake_router)
api.add_router("/udi", udi_router)
