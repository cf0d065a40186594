from django.urls import path

from . import dhr_views, views

app_name = "production"

urlpatterns = [
    path("", views.workorder_list, name="workorder-list"),
    path("<int:pk>/", views.workorder_detail, name="workorder-detail"),
    path("<int:pk>/release/", views.workorder_release, name="workorder-release"),
    path("<int:pk>/cancel/", views.workorder_cancel, name="workorder-cancel"),
    path("<int:pk>/dhr/", dhr_views.dhr_page, name="dhr"),
    path("<int:pk>/dhr/pdf/", dhr_views.dhr_pdf, name="dhr-pdf"),
    path("<int:pk>/dhr/<str:serial>/", dhr_views.dhr_page, name="dhr-unit"),
    path("<int:pk>/dhr/<str:serial>/pdf/", dhr_views.dhr_pdf, name="dhr-unit-pdf"),
]
