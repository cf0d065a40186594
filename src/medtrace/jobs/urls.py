from django.urls import path

from medtrace.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("status/<str:status>/", views.job_list, name="job-list-status"),
    path("run-now/", views.job_run_now, name="job-run-now"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/retry/", views.job_retry, name="job-retry"),
]
