from django.urls import path

from medtrace.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tiles/<slug:key>/", views.tile_count, name="tile-count"),
    path("search/", views.search, name="search"),
]
