from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "medtrace.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from medtrace.core.navigation import NavItem, register

        # Each app declares its jobs and periodic schedules in its own `jobs.py`.
        autodiscover_modules("jobs")
        register(NavItem("admin", _("Background jobs"), "jobs:job-list", "jobs.view_job"))
