"""The Django admin, open only to system administrators (a role, not the is_staff flag)."""

from django.contrib.admin import AdminSite

from medtrace.accounts.roles import Role


def is_system_administrator(user) -> bool:
    if not (user.is_active and user.is_authenticated):
        return False
    from medtrace.org.access import roles_by_site

    return any(Role.SYSTEM_ADMIN in roles for roles in roles_by_site(user).values())


def restrict_admin_to_system_administrators(site: AdminSite) -> None:
    site.has_permission = lambda request: is_system_administrator(request.user)
    site.site_header = "medtrace"
    site.site_title = "medtrace"
