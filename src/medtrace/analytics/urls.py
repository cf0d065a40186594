from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("spc/", views.spc_list, name="spc-list"),
    path("spc/chart/", views.spc_chart, name="spc-chart"),
    path("spc/raise/", views.spc_raise, name="spc-raise"),
]
