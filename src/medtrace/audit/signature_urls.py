from django.urls import path

from medtrace.audit import signature_views

app_name = "audit-signatures"

urlpatterns = [
    path("<str:object_type>/<str:object_id>/", signature_views.sign, name="sign"),
]
