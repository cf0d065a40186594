from django.urls import path

from medtrace.catalog import bom_views, lot_rule_views, routing_views, version_views, views
from medtrace.catalog.version_views import BOMS, ROUTINGS

app_name = "catalog"


def version_urls(prefix: str, kind) -> list:
    """Drafting, approving, making obsolete and comparing versions of BOMs or routings."""
    views_by_page = [
        (f"items/<str:code>/{prefix}/new/", version_views.create, "create"),
        (f"{prefix}/<int:pk>/obsolete/", version_views.obsolete, "obsolete"),
        (f"{prefix}/<int:pk>/compare/<int:version>/", version_views.compare, "compare"),
    ]
    return [
        path(route, view, {"kind": kind}, name=f"{kind.name}-{page}")
        for route, view, page in views_by_page
    ]


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
    path("boms/<int:pk>/", bom_views.bom_detail, name="bom-detail"),
    path("boms/<int:pk>/lines/", bom_views.bom_lines, name="bom-lines"),
    path("routings/<int:pk>/", routing_views.routing_detail, name="routing-detail"),
    path(
        "routings/<int:pk>/operations/new/",
        routing_views.operation_add,
        name="routing-operation-add",
    ),
    path(
        "routings/<int:pk>/operations/<int:position>/",
        routing_views.operation_edit,
        name="routing-operation-edit",
    ),
    path(
        "routings/<int:pk>/operations/<int:position>/remove/",
        routing_views.operation_remove,
        name="routing-operation-remove",
    ),
    path("lot-rules/", lot_rule_views.lot_rule_list, name="lot-rule-list"),
    path("lot-rules/new/", lot_rule_views.lot_rule_create, name="lot-rule-create"),
    path("lot-rules/preview/", lot_rule_views.lot_rule_preview, name="lot-rule-preview"),
    path("lot-rules/<int:pk>/edit/", lot_rule_views.lot_rule_edit, name="lot-rule-edit"),
    *version_urls("boms", BOMS),
    *version_urls("routings", ROUTINGS),
]
