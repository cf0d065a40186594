from django.urls import path

from . import views

app_name = "production"

urlpatterns = [
    path("", views.workorder_list, name="workorder-list"),
    path("<int:pk>/", views.workorder_detail, name="workorder-detail"),
    path("<int:pk>/release/", views.workorder_release, name="workorder-release"),
    path("<int:pk>/cancel/", views.workorder_cancel, name="workorder-cancel"),
]
