from django.contrib import admin

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
