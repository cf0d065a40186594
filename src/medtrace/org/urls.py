from django.urls import path

from medtrace.org import views

app_name = "org"

urlpatterns = [
    path("switch-site/", views.switch_site, name="switch-site"),
    path("sites/", views.site_list, name="site-list"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<str:code>/", views.site_detail, name="site-detail"),
    path("sites/<str:code>/locations/new/", views.location_create, name="location-create"),
    path("locations/<int:pk>/", views.location_detail, name="location-detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location-edit"),
    path("locations/<int:pk>/active/", views.location_set_active, name="location-set-active"),
]
