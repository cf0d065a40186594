from django.urls import path

from medtrace.labels import views

app_name = "labels"

urlpatterns = [
    path("device-identifiers/<int:pk>/", views.device_label, name="device"),
    path("sscc/", views.sscc_label, name="sscc"),
]
