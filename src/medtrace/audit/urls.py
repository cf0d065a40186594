from django.urls import path

from medtrace.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.csv", views.audit_export, name="export"),
    path("verify/", views.audit_verify, name="verify"),
]
