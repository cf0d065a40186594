from django.urls import path

from . import supplier_views, views

app_name = "analytics"

urlpatterns = [
    path("spc/", views.spc_list, name="spc-list"),
    path("spc/chart/", views.spc_chart, name="spc-chart"),
    path("spc/raise/", views.spc_raise, name="spc-raise"),
    path("suppliers/", supplier_views.supplier_quality, name="supplier-quality"),
]
