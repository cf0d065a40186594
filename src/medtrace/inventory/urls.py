from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("expiry/", views.expiry_forecast, name="expiry"),
    path("counts/", views.count_list, name="count-list"),
    path("counts/<int:pk>/", views.count_detail, name="count-detail"),
    path("counts/<int:pk>/count/", views.count_record, name="count-record"),
    path("counts/<int:pk>/post/", views.count_post, name="count-post"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="count-cancel"),
]
