from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """The admin is a raw-data browser: every write goes through the services and their rules,
    so the admin offers no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
