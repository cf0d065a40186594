from django.urls import path

from medtrace.catalog import bom_views, lot_rule_views, views

app_name = "catalog"

urlpatterns = [
    path("items/", views.item_list, name="item-list"),
    path("items/new/", views.item_create, name="item-create"),
    path("items/id/<int:pk>/", views.item_by_id, name="item-by-id"),
    path("items/<str:code>/", views.item_detail, name="item-detail"),
    path("items/<str:code>/edit/", views.item_edit, name="item-edit"),
    path("items/<str:code>/active/", views.item_set_active, name="item-set-active"),
    path(
        "items/<str:code>/device-identifiers/new/",
        views.device_identifier_create,
        name="device-identifier-create",
    ),
    path(
        "device-identifiers/<int:pk>/",
        views.device_identifier_detail,
        name="device-identifier-detail",
    ),
    path(
        "device-identifiers/<int:pk>/edit/",
        views.device_identifier_edit,
        name="device-identifier-edit",
    ),
    path(
        "device-identifiers/<int:pk>/active/",
        views.device_identifier_set_active,
        name="device-identifier-set-active",
    ),
    path("items/<str:code>/boms/new/", bom_views.bom_create, name="bom-create"),
    path("boms/<int:pk>/", bom_views.bom_detail, name="bom-detail"),
    path("boms/<int:pk>/lines/", bom_views.bom_lines, name="bom-lines"),
    path("boms/<int:pk>/approve/", bom_views.bom_approve, name="bom-approve"),
    path("boms/<int:pk>/obsolete/", bom_views.bom_obsolete, name="bom-obsolete"),
    path("boms/<int:pk>/compare/<int:version>/", bom_views.bom_compare, name="bom-compare"),
    path("lot-rules/", lot_rule_views.lot_rule_list, name="lot-rule-list"),
    path("lot-rules/new/", lot_rule_views.lot_rule_create, name="lot-rule-create"),
    path("lot-rules/preview/", lot_rule_views.lot_rule_preview, name="lot-rule-preview"),
    path("lot-rules/<int:pk>/edit/", lot_rule_views.lot_rule_edit, name="lot-rule-edit"),
]
