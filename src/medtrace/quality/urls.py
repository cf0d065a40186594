from django.urls import path

from medtrace.quality import (
    capa_views,
    complaint_views,
    deviation_views,
    inspection_views,
    task_views,
    views,
)

app_name = "quality"

urlpatterns = [
    path("tasks/", task_views.inbox, name="inbox"),
    path("related/<int:pk>/", task_views.related, name="related"),
    path("ncrs/", views.ncr_list, name="ncr-list"),
    path("ncrs/new/", views.ncr_create, name="ncr-create"),
    path("ncrs/<int:pk>/", views.ncr_detail, name="ncr-detail"),
    path("ncrs/<int:pk>/dispositions/", views.ncr_disposition, name="ncr-disposition"),
    path(
        "ncrs/<int:pk>/dispositions/<int:disposition>/carried-out/",
        views.ncr_execute,
        name="ncr-execute",
    ),
    path("ncrs/<int:pk>/<slug:action>/", views.ncr_action, name="ncr-action"),
    path("inspection-plans/", inspection_views.plan_list, name="plan-list"),
    path("inspection-plans/new/", inspection_views.plan_create, name="plan-create"),
    path("inspection-plans/<int:pk>/", inspection_views.plan_detail, name="plan-detail"),
    path("inspection-plans/<int:pk>/active/", inspection_views.plan_active, name="plan-active"),
    path("inspections/", inspection_views.inspection_list, name="inspection-list"),
    path("inspections/new/", inspection_views.inspection_start, name="inspection-start"),
    path("inspections/<int:pk>/", inspection_views.inspection_detail, name="inspection-detail"),
    path(
        "inspections/<int:pk>/results/",
        inspection_views.inspection_results,
        name="inspection-results",
    ),
    path(
        "inspections/<int:pk>/<slug:action>/",
        inspection_views.inspection_action,
        name="inspection-action",
    ),
    path("deviations/", deviation_views.deviation_list, name="deviation-list"),
    path("deviations/new/", deviation_views.deviation_create, name="deviation-create"),
    path("deviations/<int:pk>/", deviation_views.deviation_detail, name="deviation-detail"),
    path("deviations/<int:pk>/edit/", deviation_views.deviation_edit, name="deviation-edit"),
    path(
        "deviations/<int:pk>/closure-summary/",
        deviation_views.deviation_summary,
        name="deviation-summary",
    ),
    path(
        "deviations/<int:pk>/escalate/",
        deviation_views.deviation_escalate,
        name="deviation-escalate",
    ),
    path(
        "deviations/<int:pk>/<slug:action>/",
        deviation_views.deviation_action,
        name="deviation-action",
    ),
    path("capas/", capa_views.capa_list, name="capa-list"),
    path("capas/new/", capa_views.capa_create, name="capa-create"),
    path("capas/from-ncr/<int:pk>/", capa_views.ncr_escalate, name="ncr-escalate"),
    path("capas/<int:pk>/", capa_views.capa_detail, name="capa-detail"),
    path(
        "capas/<int:pk>/investigation/",
        capa_views.capa_investigation,
        name="capa-investigation",
    ),
    path("capas/<int:pk>/actions/", capa_views.capa_add_action, name="capa-add-action"),
    path(
        "capas/<int:pk>/actions/<int:action_pk>/done/",
        capa_views.capa_action_done,
        name="capa-action-done",
    ),
    path(
        "capas/<int:pk>/effectiveness/",
        capa_views.capa_effectiveness,
        name="capa-effectiveness",
    ),
    path("capas/<int:pk>/<slug:action>/", capa_views.capa_transition, name="capa-transition"),
    path("complaints/", complaint_views.complaint_list, name="complaint-list"),
    path("complaints/new/", complaint_views.complaint_create, name="complaint-create"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint-detail"),
    path("complaints/<int:pk>/edit/", complaint_views.complaint_edit, name="complaint-edit"),
    path(
        "complaints/<int:pk>/patient/",
        complaint_views.complaint_patient,
        name="complaint-patient",
    ),
    path(
        "complaints/<int:pk>/decision/",
        complaint_views.complaint_decision,
        name="complaint-decision",
    ),
    path("complaints/<int:pk>/reports/", complaint_views.complaint_report, name="complaint-report"),
    path(
        "complaints/<int:pk>/reports/<int:report_pk>/pdf/",
        complaint_views.complaint_report_pdf,
        name="complaint-report-pdf",
    ),
    path(
        "complaints/<int:pk>/closure-letter/",
        complaint_views.complaint_letter_pdf,
        name="complaint-letter",
    ),
    path(
        "complaints/<int:pk>/links/<slug:kind>/",
        complaint_views.complaint_link,
        name="complaint-link",
    ),
    path(
        "complaints/<int:pk>/<slug:action>/",
        complaint_views.complaint_action,
        name="complaint-action",
    ),
]
