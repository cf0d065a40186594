from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from medtrace.accounts import mfa_services, selectors, services
from medtrace.accounts.models import ApiToken, TotpDevice, User
from medtrace.accounts.roles import Role
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.org import access
from medtrace.org import services as org_services
from medtrace.org.models import Membership, Site

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


class MembershipOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    role: Role
    granted_at: datetime
    revoked_at: datetime | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    locked_at: datetime | None
    two_factor: bool = Field(..., description="Whether an authenticator is in use")
    roles: list[MembershipOut] = Field(..., alias="visible_roles")


class UserIn(Schema):
    username: str = Field(..., pattern=r"^[A-Za-z0-9._-]{2,150}$")
    full_name: str = Field(..., min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    password: str = Field(..., description="Initial password; tell the user in person.")
    site: str = Field(..., description="Site code where the user gets their first role")
    role: Role

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
        return value


class RoleGrantIn(Schema):
    site: str = Field(..., description="Site code")
    role: Role


class UserActiveIn(Schema):
    active: bool


class TwoFactorRemovalIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why (a lost phone)")


def _with_roles(people, viewer):
    """`people` with the roles they hold at the sites the viewer may see, revoked ones included
    so the history of who could do what stays readable."""
    roles = (
        Membership.objects.filter(site__in=access.visible_sites(viewer))
        .select_related("site")
        .order_by("revoked_at", "site__code", "role")
    )
    in_use = TotpDevice.objects.filter(user=OuterRef("pk"), removed_at__isnull=True)
    return people.annotate(two_factor=Exists(in_use)).prefetch_related(
        Prefetch("memberships", queryset=roles, to_attr="visible_roles")
    )


def _user_out(viewer, person: User) -> User:
    return _with_roles(User.objects.filter(pk=person.pk), viewer).get()


def _site(request, code: str, perm: str) -> Site:
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=code)
    require_perm(request, perm, site)
    return site


@router.get("/users", response=list[UserOut])
@paginate(Pages)
def list_users(request, site: str | None = None, active: bool | None = None):
    """People holding a role at a site where you may view users."""
    people = selectors.visible_users(request.user)
    if site:
        people = people.filter(memberships__site__code=site)
    if active is not None:
        people = people.filter(is_active=active)
    return _with_roles(people, request.user).order_by("username")


@router.get("/users/{user_id}", response={200: UserOut, **READ_ERRORS})
def get_user(request, user_id: int):
    person = get_object_or_404(selectors.visible_users(request.user), pk=user_id)
    return _user_out(request.user, person)


@router.post("/users", response={201: UserOut, **WRITE_ERRORS})
def create_user(request, payload: UserIn):
    """A new person with their first role; the same rules as the user page (unique username,
    password strength), and nothing is created when either is refused."""
    site = _site(request, payload.site, "accounts.add_user")
    person = services.enrol_user(
        site=site,
        role=payload.role,
        username=payload.username,
        password=payload.password,
        email=payload.email,
        full_name=payload.full_name,
        by=request.user,
    )
    return Status(201, _user_out(request.user, person))


@router.post("/users/{user_id}/roles", response={201: UserOut, **WRITE_ERRORS})
def grant_role(request, user_id: int, payload: RoleGrantIn):
    person = get_object_or_404(selectors.visible_users(request.user), pk=user_id)
    site = _site(request, payload.site, "org.add_membership")
    org_services.grant_role(user=person, site=site, role=payload.role, by=request.user)
    return Status(201, _user_out(request.user, person))


@router.post(
    "/users/{user_id}/roles/{membership_id}/revoke", response={200: UserOut, **WRITE_ERRORS}
)
def revoke_role(request, user_id: int, membership_id: int):
    membership = access.get_scoped_or_404(
        Membership.objects.filter(user_id=user_id).select_related("user"),
        request.user,
        pk=membership_id,
    )
    require_perm(request, "org.change_membership", membership.site)
    org_services.revoke_role(membership=membership, by=request.user)
    return _user_out(request.user, membership.user)


@router.post("/users/{user_id}/active", response={200: UserOut, **WRITE_ERRORS})
def set_user_active(request, user_id: int, payload: UserActiveIn):
    """Deactivate or reactivate; people are never deleted, so their records keep a name."""
    person = _manageable(request, user_id)
    person = services.set_user_active(user=person, active=payload.active, by=request.user)
    return _user_out(request.user, person)


@router.post("/users/{user_id}/unlock", response={200: UserOut, **WRITE_ERRORS})
def unlock_user(request, user_id: int):
    person = services.unlock_user(user=_manageable(request, user_id), by=request.user)
    return _user_out(request.user, person)


@router.post("/users/{user_id}/two-factor/remove", response={200: UserOut, **WRITE_ERRORS})
def remove_two_factor(request, user_id: int, payload: TwoFactorRemovalIn):
    """Remove a person's authenticator (a lost phone), with the reason; they set up a new one at
    their next sign-in. Setting one up is done in the browser, by the person, not through the
    API: a leaked token must not be able to replace someone's second factor."""
    person = _manageable(request, user_id)
    mfa_services.remove(user=person, by=request.user, reason=payload.reason)
    return _user_out(request.user, person)


def _manageable(request, user_id: int) -> User:
    """404 for people the caller cannot see; the services refuse (403) those they see but do
    not administer."""
    person = get_object_or_404(selectors.visible_users(request.user), pk=user_id)
    require_perm(request, "accounts.change_user")
    return person
