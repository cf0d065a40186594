from django.urls import path

from medtrace.partners import views

app_name = "partners"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_create, name="supplier-create"),
    path("suppliers/id/<int:pk>/", views.supplier_by_id, name="supplier-by-id"),
    path("suppliers/<str:code>/", views.supplier_detail, name="supplier-detail"),
    path("suppliers/<str:code>/edit/", views.supplier_edit, name="supplier-edit"),
    path("suppliers/<str:code>/status/", views.supplier_status, name="supplier-status"),
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
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate-file"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/id/<int:pk>/", views.customer_by_id, name="customer-by-id"),
    path("customers/<str:code>/", views.customer_detail, name="customer-detail"),
    path("customers/<str:code>/edit/", views.customer_edit, name="customer-edit"),
]
