from django.urls import path

from medtrace.partners import qualification_views as qualification
from medtrace.partners import views

app_name = "partners"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_create, name="supplier-create"),
    path("suppliers/id/<int:pk>/", views.supplier_by_id, name="supplier-by-id"),
    path(
        "suppliers/id/<int:pk>/actions/<str:name>/",
        qualification.supplier_action,
        name="supplier-action",
    ),
    path("suppliers/<str:code>/", views.supplier_detail, name="supplier-detail"),
    path("suppliers/<str:code>/edit/", views.supplier_edit, name="supplier-edit"),
    path(
        "suppliers/<str:code>/certificates/new/",
        views.certificate_create,
        name="certificate-create",
    ),
    path(
        "suppliers/<str:code>/approved-sources/new/",
        views.approved_source_create,
        name="approved-source-create",
    ),
    path("suppliers/<str:code>/audits/new/", qualification.audit_create, name="audit-create"),
    path("certificates/expiring/", qualification.certificate_expiring, name="certificate-expiring"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate-file"),
    path("approved-sources/", qualification.approved_source_list, name="approved-source-list"),
    path("evaluations/<int:pk>/", qualification.evaluation_detail, name="evaluation-detail"),
    path(
        "evaluations/<int:pk>/answers/",
        qualification.evaluation_answers,
        name="evaluation-answers",
    ),
    path("evaluations/<int:pk>/edit/", qualification.evaluation_edit, name="evaluation-edit"),
    path("audits/<int:pk>/", qualification.audit_detail, name="audit-detail"),
    path("audits/<int:pk>/edit/", qualification.audit_edit, name="audit-edit"),
    path("audits/<int:pk>/report/", qualification.audit_report, name="audit-report"),
    path("audits/<int:pk>/findings/new/", qualification.finding_create, name="finding-create"),
    path("audits/<int:pk>/actions/<str:name>/", qualification.audit_action, name="audit-action"),
    path("findings/<int:pk>/close/", qualification.finding_close, name="finding-close"),
    path("findings/<int:pk>/capa/", qualification.finding_capa, name="finding-capa"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/id/<int:pk>/", views.customer_by_id, name="customer-by-id"),
    path("customers/<str:code>/", views.customer_detail, name="customer-detail"),
    path("customers/<str:code>/edit/", views.customer_edit, name="customer-edit"),
]
