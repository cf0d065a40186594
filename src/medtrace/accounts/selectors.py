from django.db.models import QuerySet

from medtrace.accounts.models import ApiToken, User
from medtrace.org import access


def visible_users(viewer) -> QuerySet[User]:
    """Users holding a role at a site where the viewer may view users."""
    site_ids = access.site_ids_with_perm(viewer, "accounts.view_user")
    return User.objects.filter(memberships__site_id__in=site_ids).distinct()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).prefetch_related("sites")
