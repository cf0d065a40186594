from datetime import datetime

from django.http import Http404
from ninja import Router, Schema

from medtrace.accounts import selectors, services
from medtrace.accounts.models import ApiToken
from medtrace.core.api import WRITE_ERRORS
from medtrace.org import access
from medtrace.org.models import Site

router = Router(tags=["accounts"])


class SiteRoles(Schema):
    site: str
    roles: list[str]


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    organization: str | None
    sites: list[SiteRoles]
    token: str | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    sites: list[str]
    can_write: bool
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_sites(token: ApiToken) -> list[str]:
        return sorted(site.code for site in token.sites.all())


@router.get("/me", response=MeOut)
def me(request):
    """Who the API sees you as, and your roles at each site it lets you reach."""
    user = request.user
    roles = access.roles_by_site(user)
    codes = dict(Site.objects.filter(pk__in=roles).values_list("pk", "code"))
    token = getattr(user, "api_token", None)
    return {
        "username": user.username,
        "full_name": user.printed_name,
        "email": user.email,
        "organization": str(user.organization) if user.organization else None,
        "sites": [
            {"site": codes[site_id], "roles": sorted(site_roles)}
            for site_id, site_roles in sorted(roles.items(), key=lambda item: codes[item[0]])
        ],
        "token": token.prefix if token else None,
    }


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    """Your own API tokens (never their secrets)."""
    return selectors.tokens_of(request.user)


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **WRITE_ERRORS})
def revoke_token(request, token_id: int):
    token = selectors.tokens_of(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return services.revoke_api_token(token=token, by=request.user)
