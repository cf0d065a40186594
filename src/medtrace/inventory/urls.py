from django.urls import path

from . import views
from .floor_urls import urlpatterns as floor_urlpatterns

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

urlpatterns += floor_urlpatterns  # the scan screens (floor_views)
