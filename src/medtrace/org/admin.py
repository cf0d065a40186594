from django.contrib import admin

from medtrace.core.admin import ReadOnlyAdmin
from medtrace.org.models import Location, Membership, Organization, Site


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "name_en", "slug")


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "time_zone", "is_active")


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ("site", "path", "name", "kind", "is_active")
    list_filter = ("site", "kind", "is_active")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "site", "role", "granted_at", "revoked_at")
    list_filter = ("site", "role")
