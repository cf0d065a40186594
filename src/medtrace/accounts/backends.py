"""Authentication with per-site role permissions.

A user's permissions are the union of the permissions of the roles they hold at a site
(org.Membership). Asked about an object, the backend answers for that object's site; asked
without one, it answers "somewhere". When the request came with an API token, the token
narrows both: only its sites, and only view permissions unless it may write.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from medtrace.accounts.roles import ROLE_PERMISSIONS
from medtrace.org import access

User = get_user_model()


class SiteRoleBackend(ModelBackend):
    def user_can_authenticate(self, user):
        """Inactive and locked accounts cannot sign in, whatever the password."""
        return super().user_can_authenticate(user) and not getattr(user, "is_locked", False)

    def get_user(self, user_id):
        # A locked user's session still resolves to the user, so that IdleTimeoutMiddleware
        # can end it, say why, and audit it; it lets the session go no further.
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and ModelBackend.user_can_authenticate(self, user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if obj is None:
            return bool(access.site_ids_with_perm(user_obj, perm))
        site_id = access.site_id_of(obj)
        return site_id is not None and site_id in access.site_ids_with_perm(user_obj, perm)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return any(
            pattern == "*" or pattern.startswith(f"{app_label}.") or pattern.startswith("*.")
            for role in access.roles_by_site(user_obj).values()
            for name in role
            for pattern in ROLE_PERMISSIONS.get(name, ())
        )

    def get_all_permissions(self, user_obj, obj=None):
        return set()
