"""The generated documents' pages, included by documents/urls.py under generated/ (namespace
documents)."""

from django.urls import path

from medtrace.documents import generation_views as views

urlpatterns = [
    path("", views.generated_list, name="generated-list"),
    path("new/", views.generate, name="generated-create"),
    path("<int:pk>/", views.generated_detail, name="generated-detail"),
    path("<int:pk>/pdf/", views.generated_pdf, name="generated-pdf"),
    path("<int:pk>/take-in/", views.take_in, name="generated-take-in"),
]
