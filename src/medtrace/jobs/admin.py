from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.jobs.models import Job, JobLogLine


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "name", "status", "attempts", "run_after", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("name", "key")


@admin.register(JobLogLine)
class JobLogLineAdmin(ReadOnlyAdmin):
    owner = "job"
    list_display = ("job", "at", "level", "message")
    list_filter = ("level",)
