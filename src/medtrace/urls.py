from django.contrib import admin
from django.urls import include, path, re_path

from medtrace.admin_site import restrict_admin_to_system_administrators
from medtrace.api import api
from medtrace.core.api import unknown_endpoint

restrict_admin_to_system_administrators(admin.site)

urlpatterns = [
    path("", include("medtrace.core.urls")),
    path("accounts/", include("medtrace.accounts.urls")),
    path("org/", include("medtrace.org.urls")),
    path("jobs/", include("medtrace.jobs.urls")),
    path("catalog/", include("medtrace.catalog.urls")),
    path("partners/", include("medtrace.partners.urls")),
    path("equipment/", include("medtrace.equipment.urls")),
    path("exchange/", include("medtrace.exchange.urls")),
    path("integration/", include("medtrace.integration.urls")),
    path("udi/", include("medtrace.udi.urls")),
    path("labels/", include("medtrace.labels.urls")),
    path("trace/", include("medtrace.trace.urls")),
    path("shipping/", include("medtrace.shipping.urls")),
    path("production/", include("medtrace.production.urls")),
    path("recall/", include("medtrace.recall.urls")),
    path("inventory/", include("medtrace.inventory.urls")),
    path("purchasing/", include("medtrace.purchasing.urls")),
    path("quality/", include("medtrace.quality.urls")),
    path("documents/", include("medtrace.documents.urls")),
    path("training/", include("medtrace.training.urls")),
    path("changes/", include("medtrace.changes.urls")),
    path("analytics/", include("medtrace.analytics.urls")),
    path("audit/reviews/", include("medtrace.audit.review_urls")),
    path("audit/sign/", include("medtrace.audit.signature_urls")),
    path("audit/", include("medtrace.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_endpoint),
    path("admin/", admin.site.urls),
]
