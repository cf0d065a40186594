from django.urls import path

from . import public_views, return_views, views

app_name = "shipping"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("new/", views.order_create, name="order-create"),
    path("<int:pk>/", views.order_detail, name="order-detail"),
    path("<int:pk>/actions/<str:action>/", views.order_action, name="order-action"),
    path("<int:pk>/delivery/", views.order_delivery, name="order-delivery"),
    path("<int:pk>/pick/", views.pick_screen, name="pick"),
    path("<int:pk>/pick/scan/", views.pick_scan, name="pick-scan"),
    path("<int:pk>/pick/progress/", views.pick_progress, name="pick-progress"),
    path("<int:pk>/picks/<int:pick_id>/put-back/", views.pick_put_back, name="pick-put-back"),
    path("<int:pk>/pack/", views.pack_screen, name="pack"),
    path("<int:pk>/pack/scan/", views.pack_scan, name="pack-scan"),
    path("<int:pk>/pack/close/", views.pack_close, name="pack-close"),
    path("<int:pk>/pack/pending/", views.pack_pending, name="pack-pending"),
    path("<int:pk>/documents/<str:kind>/", views.shipment_document, name="document"),
    path("packages/<int:pk>/label/", views.package_label, name="label"),
    path("<int:pk>/return/", return_views.return_create, name="return-create"),
    path("returns/", return_views.return_list, name="return-list"),
    path("returns/<int:pk>/", return_views.return_detail, name="return-detail"),
    path("returns/<int:pk>/receive/", return_views.return_receive, name="return-receive"),
    path(
        "returns/<int:pk>/lines/<int:line_id>/decide/",
        return_views.return_decide,
        name="return-decide",
    ),
    path("terms/", return_views.terms_list, name="terms"),
    path("confirm/<str:token>/", public_views.confirm, name="confirm"),
]
