"""Who may see which site: the one place every page, form and API query is scoped through.

`scoped(queryset, user)` keeps the rows of the sites where the user holds a role granting the
view permission of that model; `get_scoped_or_404` answers 404 for a record of any other site,
so a record's existence never leaks across sites. The answers are cached on the user object for
the length of the request.
"""

from django.db.models import Model, QuerySet
from django.http import Http404

from medtrace.accounts.roles import role_grants
from medtrace.org.models import Membership, Site


def roles_by_site(user) -> dict[int, frozenset[str]]:
    """{site_id: roles} for the user's active memberships, narrowed to an API token's sites."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_medtrace_roles_by_site", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(
        user=user, revoked_at__isnull=True, site__is_active=True
    ).values_list("site_id", "role")
    grouped: dict[int, set[str]] = {}
    for site_id, role in rows:
        grouped.setdefault(site_id, set()).add(role)
    token = getattr(user, "api_token", None)
    if token is not None:
        allowed = set(token.sites.values_list("id", flat=True))
        grouped = {site_id: roles for site_id, roles in grouped.items() if site_id in allowed}
    result = {site_id: frozenset(roles) for site_id, roles in grouped.items()}
    user._medtrace_roles_by_site = result
    return result


def site_ids_with_perm(user, perm: str) -> frozenset[int]:
    cache = user.__dict__.setdefault("_medtrace_perm_sites", {})
    if perm in cache:
        return cache[perm]
    token = getattr(user, "api_token", None)
    if token is not None and not token.can_write and not is_read_perm(perm):
        cache[perm] = frozenset()
        return cache[perm]
    granted = frozenset(
        site_id
        for site_id, roles in roles_by_site(user).items()
        if any(role_grants(role, perm) for role in roles)
    )
    cache[perm] = granted
    return granted


def forget(user) -> None:
    """Drop the cached answers after the user's memberships changed."""
    user.__dict__.pop("_medtrace_roles_by_site", None)
    user.__dict__.pop("_medtrace_perm_sites", None)


def is_read_perm(perm: str) -> bool:
    return perm.partition(".")[2].startswith("view_")


def site_id_of(obj) -> int | None:
    if isinstance(obj, Site):
        return obj.pk
    return getattr(obj, "site_id", None)


def permits(user, perm: str, record) -> bool:
    """Whether `user` holds `perm` for the record: at the record's site, or, for
    organization-wide master data (a record with an organization and no site, such as a
    catalog BOM or a supplier), at any of their sites in the record's organization."""
    if site_id_of(record) is None and getattr(record, "organization_id", None):
        return user.organization_id == record.organization_id and user.has_perm(perm)
    return user.has_perm(perm, record)


def visible_sites(user) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=site_ids_with_perm(user, "org.view_site"))


def view_perm(model: type[Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def scoped(queryset: QuerySet, user, *, perm: str | None = None, site_field: str = "site"):
    """The rows of `queryset` at sites where `user` holds `perm` (default: the model's view)."""
    site_ids = site_ids_with_perm(user, perm or view_perm(queryset.model))
    if queryset.model is Site:
        return queryset.filter(pk__in=site_ids)
    return queryset.filter(**{f"{site_field}_id__in": site_ids})


def get_scoped_or_404(queryset: QuerySet, user, *, perm: str | None = None, **lookup):
    try:
        return scoped(queryset, user, perm=perm).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
