"""The floor's scan screens, under /inventory/floor/: inventory/urls.py adds these patterns
to its own (namespace `inventory`, names `floor-…`)."""

from django.urls import path

from medtrace.inventory import floor_views

urlpatterns = [
    path("floor/", floor_views.floor_home, name="floor-home"),
    path("floor/locations/labels/", floor_views.location_labels, name="floor-location-labels"),
    path("floor/<slug:task>/", floor_views.station, name="floor-station"),
    path("floor/<slug:task>/scan/", floor_views.scan, name="floor-scan"),
    path("floor/<slug:task>/panel/", floor_views.panel, name="floor-panel"),
]
