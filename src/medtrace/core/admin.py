from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import ForeignKey, QuerySet

from medtrace.accounts.roles import Role
from medtrace.org.access import roles_by_site
from medtrace.org.models import Organization


class ReadOnlyAdmin(admin.ModelAdmin):
    """The admin is a raw-data browser: every write goes through the services and their rules,
    so the admin offers no add, change or delete. Like every page, it shows a system
    administrator the rows of the sites where they hold that role and their own organization's
    records: nothing of another site or organization."""

    # The record a row belongs to, when the row names neither site nor organization itself.
    owner = ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return administered(super().get_queryset(request), request.user, self.owner)

    def get_list_filter(self, request):
        # A relation's filter offers only what the rows shown name, not every row of its table.
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and isinstance(self.model._meta.get_field(name), ForeignKey)
            else name
            for name in super().get_list_filter(request)
        ]


def administered_site_ids(user) -> set[int]:
    return {site for site, roles in roles_by_site(user).items() if Role.SYSTEM_ADMIN in roles}


def administered(queryset: QuerySet, user, owner: str = "") -> QuerySet:
    """The rows of `queryset` a system administrator may browse: those of (or owned by a
    record of) their sites, or of their organization for organization-wide records."""
    model = queryset.model._meta.get_field(owner).related_model if owner else queryset.model
    prefix = f"{owner}__" if owner else ""
    if model is Organization:
        return queryset.filter(**{f"{prefix}pk": user.organization_id})
    names = {field.name for field in model._meta.concrete_fields}
    if "site" in names:
        return queryset.filter(**{f"{prefix}site_id__in": administered_site_ids(user)})
    if "organization" in names:
        return queryset.filter(**{f"{prefix}organization_id": user.organization_id})
    raise ImproperlyConfigured(
        f"{queryset.model._meta.label} names no site or organization: give its admin an owner"
    )
