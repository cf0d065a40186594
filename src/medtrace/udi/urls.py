from django.urls import path

from medtrace.udi import views

app_name = "udi"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("registrant/", views.registrant, name="registrant"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/file/", views.submission_file, name="submission-file"),
    path(
        "submissions/<int:pk>/submitted/", views.submission_submitted, name="submission-submitted"
    ),
    path("submissions/<int:pk>/rejected/", views.submission_rejected, name="submission-rejected"),
    path("<str:database>/", views.database_detail, name="database"),
]
