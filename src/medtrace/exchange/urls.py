from django.urls import path

from medtrace.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/apply/", views.batch_apply, name="batch-apply"),
    path("batches/<int:pk>/validate/", views.batch_revalidate, name="batch-revalidate"),
    path("batches/<int:pk>/discard/", views.batch_discard, name="batch-discard"),
    path("batches/<int:pk>/file/", views.batch_file, name="batch-file"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("template/<str:kind>.<str:fmt>", views.template, name="template"),
]
