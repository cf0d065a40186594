from django.contrib import admin
from django.contrib.auth import admin as auth_admin  # noqa: F401  (registers Group: below)
from django.contrib.auth.models import Group

from medtrace.accounts.models import ApiToken, User
from medtrace.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "full_name", "email", "organization", "is_active", "last_login")
    exclude = ("password",)
    search_fields = ("username", "full_name", "email")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "can_write", "expires_at", "revoked_at")
    exclude = ("digest",)


# medtrace grants roles at sites, never Django groups; the groups' admin (the one editable page,
# and one table for every organization) has no place here. Imported first, so that the admin's
# discovery, which comes to django.contrib.auth after medtrace's apps, finds it done.
admin.site.unregister(Group)
