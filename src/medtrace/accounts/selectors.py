from django.db.models import QuerySet

from medtrace.accounts.models import ApiToken, User
from medtrace.org import access


def visible_users(viewer) -> QuerySet[User]:
    """Users holding a role at a site where the viewer may view users."""
    site_ids = access.site_ids_with_perm(viewer, "accounts.view_user")
    return User.objects.filter(memberships__site_id__in=site_ids).distinct()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).prefetch_related("sites")


def manageable_users(viewer) -> QuerySet[User]:
    """Users holding a role at a site where the viewer may change users."""
    site_ids = access.site_ids_with_perm(viewer, "accounts.change_user")
    if not site_ids:
        return User.objects.none()
    return User.objects.filter(
        memberships__site_id__in=site_ids, memberships__revoked_at__isnull=True
    ).distinct()


def locked_users(viewer) -> QuerySet[User]:
    """The locked accounts the viewer is alerted to (home page) and may unlock."""
    return manageable_users(viewer).filter(locked_at__isnull=False)
