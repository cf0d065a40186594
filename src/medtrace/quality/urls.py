from django.urls import path

from medtrace.quality import views

app_name = "quality"

urlpatterns = [
    path("ncrs/", views.ncr_list, name="ncr-list"),
    path("ncrs/new/", views.ncr_create, name="ncr-create"),
    path("ncrs/<int:pk>/", views.ncr_detail, name="ncr-detail"),
    path("ncrs/<int:pk>/dispositions/", views.ncr_disposition, name="ncr-disposition"),
    path("ncrs/<int:pk>/<slug:action>/", views.ncr_action, name="ncr-action"),
]
