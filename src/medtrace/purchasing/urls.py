from django.urls import path

from medtrace.purchasing import receipt_views, views

app_name = "purchasing"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("new/", views.order_create, name="order-create"),
    path("<int:pk>/", views.order_detail, name="order-detail"),
    path("<int:pk>/lines/", views.order_add_line, name="order-add-line"),
    path("<int:pk>/actions/<str:action>/", views.order_action, name="order-action"),
    path("lines/<int:pk>/exception/", views.line_exception, name="line-exception"),
    path("lines/<int:pk>/receive/", receipt_views.receive, name="receive"),
    path("expected/", views.expected, name="expected"),
    path("receipts/", receipt_views.receipt_list, name="receipt-list"),
    path("receipts/<int:pk>/", receipt_views.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/release/", receipt_views.receipt_release, name="receipt-release"),
    path(
        "receipts/<int:pk>/certificate/",
        receipt_views.receipt_certificate,
        name="receipt-certificate",
    ),
    path(
        "receipts/<int:pk>/certificate/upload/",
        receipt_views.receipt_certificate_upload,
        name="receipt-certificate-upload",
    ),
]
