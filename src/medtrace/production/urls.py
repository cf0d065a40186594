from django.urls import path

from . import dhr_views, execution_views, floor_views, views

app_name = "production"

urlpatterns = [
    path("", views.workorder_list, name="workorder-list"),
    path("<int:pk>/", views.workorder_detail, name="workorder-detail"),
    path("<int:pk>/release/", views.workorder_release, name="workorder-release"),
    path("<int:pk>/cancel/", views.workorder_cancel, name="workorder-cancel"),
    # Executing an order (execution_views: the office; floor_views: the floor's station).
    path("schedule/", views.workorder_schedule, name="workorder-schedule"),
    path(
        "<int:pk>/operations/<int:operation>/start/",
        execution_views.operation_start,
        name="operation-start",
    ),
    path(
        "<int:pk>/operations/<int:operation>/finish/",
        execution_views.operation_finish,
        name="operation-finish",
    ),
    path(
        "<int:pk>/operations/<int:operation>/readings/",
        execution_views.operation_reading,
        name="operation-reading",
    ),
    path("<int:pk>/labels/print/", execution_views.labels_print, name="labels-print"),
    path("<int:pk>/labels/reconcile/", execution_views.labels_reconcile, name="labels-reconcile"),
    path(
        "<int:pk>/consumptions/<int:consumption>/take-back/",
        execution_views.consumption_take_back,
        name="consumption-take-back",
    ),
    path("<int:pk>/complete/", execution_views.workorder_complete, name="workorder-complete"),
    path(
        "<int:pk>/release-lot/", execution_views.workorder_release_lot, name="workorder-release-lot"
    ),
    path("floor/", floor_views.floor_orders, name="floor"),
    path("<int:pk>/floor/", floor_views.floor_station, name="floor-station"),
    path("<int:pk>/floor/panel/", floor_views.floor_panel, name="floor-panel"),
    path("<int:pk>/floor/scan/", floor_views.floor_scan, name="floor-scan"),
    path("<int:pk>/floor/output/", floor_views.floor_output, name="floor-output"),
    path(
        "<int:pk>/floor/operations/<int:operation>/start/",
        floor_views.floor_start,
        name="floor-start",
    ),
    path(
        "<int:pk>/floor/operations/<int:operation>/finish/",
        floor_views.floor_finish,
        name="floor-finish",
    ),
    path(
        "<int:pk>/floor/operations/<int:operation>/readings/",
        floor_views.floor_reading,
        name="floor-reading",
    ),
    path("<int:pk>/dhr/", dhr_views.dhr_page, name="dhr"),
    path("<int:pk>/dhr/pdf/", dhr_views.dhr_pdf, name="dhr-pdf"),
    path("<int:pk>/dhr/<str:serial>/", dhr_views.dhr_page, name="dhr-unit"),
    path("<int:pk>/dhr/<str:serial>/pdf/", dhr_views.dhr_pdf, name="dhr-unit-pdf"),
]
