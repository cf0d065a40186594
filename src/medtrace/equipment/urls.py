from django.urls import path

from medtrace.equipment import calibration_views, state_views, views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="equipment-list"),
    path("new/", views.equipment_create, name="equipment-create"),
    path("<int:pk>/", views.equipment_detail, name="equipment-detail"),
    path("<int:pk>/edit/", views.equipment_edit, name="equipment-edit"),
    path("<int:pk>/status/", views.equipment_status, name="equipment-status"),
    path("<int:pk>/states/", state_views.state_record, name="state-record"),
    path(
        "<int:pk>/calibrations/new/",
        calibration_views.calibration_create,
        name="calibration-create",
    ),
    path(
        "<int:pk>/maintenance/new/",
        calibration_views.maintenance_create,
        name="maintenance-create",
    ),
    path("<int:pk>/maintenance-plans/new/", calibration_views.plan_create, name="plan-create"),
    path(
        "calibrations/<int:pk>/",
        calibration_views.calibration_detail,
        name="calibration-detail",
    ),
    path(
        "calibrations/<int:pk>/certificate/",
        calibration_views.calibration_certificate,
        name="calibration-certificate",
    ),
    path(
        "calibrations/<int:pk>/actions/<str:action>/",
        calibration_views.calibration_action,
        name="calibration-action",
    ),
    path("impact-reviews/<int:pk>/", calibration_views.impact_review, name="impact-review"),
    path("impact-reviews/<int:pk>/open/", calibration_views.impact_open, name="impact-open"),
    path(
        "impact-reviews/<int:pk>/assessment/",
        calibration_views.impact_assessment,
        name="impact-assessment",
    ),
    path(
        "impact-reviews/<int:pk>/actions/<str:action>/",
        calibration_views.impact_action,
        name="impact-action",
    ),
]
