from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access, services
from medtrace.org.choices import LocationKind, SiteKind
from medtrace.org.models import Location, Site

router = Router(tags=["sites and locations"])


class SiteOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: SiteKind
    time_zone: str
    country: str
    address: str
    is_active: bool


class SiteIn(Schema):
    code: str = Field(..., description="Typed in any case, stored upper-case")
    name: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    kind: SiteKind = SiteKind.PLANT
    time_zone: str = Field("Asia/Shanghai", description="An IANA time zone name")
    country: str = Field("CN", min_length=2, max_length=2)
    address: str = ""


class LocationOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    code: str
    path: str
    name: str
    name_en: str
    kind: LocationKind
    parent_id: int | None
    is_active: bool


class LocationIn(Schema):
    site: str = Field(..., description="Site code")
    code: str
    name: str
    name_en: str = ""
    kind: LocationKind
    parent_id: int | None = None


class LocationPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    kind: LocationKind | None = None


class ActiveIn(Schema):
    active: bool


@router.get("/sites", response=list[SiteOut])
@paginate(Pages)
def list_sites(request):
    return access.visible_sites(request.user).order_by("code")


@router.get("/sites/{code}", response={200: SiteOut, **READ_ERRORS})
def get_site(request, code: str):
    return access.get_scoped_or_404(Site.objects.all(), request.user, code=code)


@router.post("/sites", response={201: SiteOut, **WRITE_ERRORS})
def create_site(request, payload: SiteIn):
    """A new site of your organization, with one location of each kind; you become its system
    administrator."""
    require_perm(request, "org.add_site")
    if request.user.organization is None:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this (%(perm)s).") % {"perm": "org.add_site"},
        )
    site = services.create_site(
        organization=request.user.organization,
        default_locations=True,
        by=request.user,
        **payload.dict()
        | {"code": payload.code.strip().upper()},  # typed in any case, as on the page
    )
    return Status(201, site)


@router.get("/locations", response=list[LocationOut])
@paginate(Pages)
def list_locations(
    request, site: str | None = None, kind: LocationKind | None = None, active: bool | None = None
):
    locations = access.scoped(Location.objects.select_related("site"), request.user)
    if site:
        locations = locations.filter(site__code=site)
    if kind:
        locations = locations.filter(kind=kind)
    if active is not None:
        locations = locations.filter(is_active=active)
    return locations.order_by("site__code", "path")


def _location(request, location_id: int, perm: str | None = None) -> Location:
    return access.get_scoped_or_404(
        Location.objects.select_related("site"), request.user, perm=perm, pk=location_id
    )


@router.get("/locations/{location_id}", response={200: LocationOut, **READ_ERRORS})
def get_location(request, location_id: int):
    return _location(request, location_id)


@router.post("/locations", response={201: LocationOut, **WRITE_ERRORS})
def create_location(request, payload: LocationIn):
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=payload.site)
    require_perm(request, "org.add_location", site)
    parent = None
    if payload.parent_id is not None:
        parent = get_object_or_404(site.locations, pk=payload.parent_id)
    location = services.create_location(
        site=site,
        parent=parent,
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        kind=payload.kind,
        by=request.user,
    )
    return Status(201, location)


@router.patch("/locations/{location_id}", response={200: LocationOut, **WRITE_ERRORS})
def update_location(request, location_id: int, payload: LocationPatch):
    location = _location(request, location_id)
    require_perm(request, "org.change_location", location)
    changes = payload.dict(exclude_unset=True)
    return services.update_location(
        location=location,
        name=changes.get("name", location.name),
        name_en=changes.get("name_en", location.name_en),
        kind=changes.get("kind", location.kind),
        by=request.user,
    )


@router.post("/locations/{location_id}/active", response={200: LocationOut, **WRITE_ERRORS})
def set_location_active(request, location_id: int, payload: ActiveIn):
    location = _location(request, location_id)
    require_perm(request, "org.change_location", location)
    return services.set_location_active(location=location, active=payload.active, by=request.user)
