"""Organization, sites, locations and role grants: the writes, each in one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated as _validated
from medtrace.org import access
from medtrace.org.choices import LocationKind, SiteKind
from medtrace.org.models import Location, Membership, Organization, Site


@transaction.atomic
def ensure_organization(*, name: str, name_en: str = "") -> tuple[Organization, bool]:
    """The organization with this name, created if missing (init is safe to run twice)."""
    existing = Organization.objects.filter(name=name).first()
    if existing:
        return existing, False
    slug = slugify(name_en or name) or "org"
    if Organization.objects.filter(slug=slug).exists():
        slug = f"{slug}-{Organization.objects.count() + 1}"
    organization = _validated(Organization(name=name, name_en=name_en, slug=slug))
    organization.save()
    audit.record(AuditAction.CREATE, organization, changes=audit.created(organization))
    return organization, True


@transaction.atomic
def create_site(
    *,
    organization: Organization,
    code: str,
    name: str,
    kind: str = SiteKind.PLANT,
    name_en: str = "",
    time_zone: str = "Asia/Shanghai",
    address: str = "",
    country: str = "CN",
    default_locations: bool = False,
    by=None,
) -> Site:
    """A new site; whoever creates it becomes its system administrator so it is never orphaned.
    With `default_locations` it gets one location of each kind, so it can receive, store and
    ship at once."""
    if Site.objects.filter(organization=organization, code=code).exists():
        raise DomainError(
            ErrorCode.DUPLICATE, _("A site with code %(code)s already exists.") % {"code": code}
        )
    site = _validated(
        Site(
            organization=organization,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            time_zone=time_zone,
            address=address,
            country=country,
        )
    )
    _check_time_zone(site.time_zone)
    site.save()
    audit.record(AuditAction.CREATE, site, by=by, changes=audit.created(site))
    if by is not None:
        grant_role(user=by, site=site, role=Role.SYSTEM_ADMIN, by=by)
    if default_locations:
        create_default_locations(site=site, by=by)
    return site


def _check_time_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(zone)s is not a known time zone (use a name like Asia/Shanghai).")
            % {"zone": name},
            fields={"time_zone": [str(_("Unknown time zone."))]},
        ) from None


@transaction.atomic
def create_location(
    *,
    site: Site,
    code: str,
    name: str,
    kind: str,
    parent: Location | None = None,
    name_en: str = "",
    by=None,
) -> Location:
    if parent is not None:
        parent = Location.objects.select_for_update().get(pk=parent.pk)
    if parent is not None and parent.site_id != site.pk:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The parent location %(parent)s belongs to another site.") % {"parent": parent.path},
        )
    if parent is not None and not parent.is_active:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("The parent location %(parent)s is inactive.") % {"parent": parent.path},
        )
    if Location.objects.filter(site=site, code=code).exists():
        raise DomainError(
            ErrorCode.DUPLICATE,
            _("Site %(site)s already has a location with code %(code)s.")
            % {"site": site.code, "code": code},
        )
    location = _validated(
        Location(
            organization_id=site.organization_id,
            site=site,
            parent=parent,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            path=f"{parent.path}/{code}" if parent else code,
            depth=parent.depth + 1 if parent else 0,
        )
    )
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.DUPLICATE,
            _("Site %(site)s already has a location with code %(code)s.")
            % {"site": site.code, "code": code},
        ) from None
    audit.record(AuditAction.CREATE, location, by=by, changes=audit.created(location))
    return location


@transaction.atomic
def update_location(*, location: Location, name: str, name_en: str, kind: str, by=None) -> Location:
    """Rename or re-kind a location; its code and place in the tree are its identity."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    before = audit.snapshot(location)
    location.name, location.name_en, location.kind = name, name_en, kind
    _validated(location).save(update_fields=["name", "name_en", "kind"])
    changes = audit.diff(before, location)
    if changes:
        audit.record(AuditAction.CHANGE, location, by=by, changes=changes)
    return location


@transaction.atomic
def set_location_active(*, location: Location, active: bool, by=None) -> Location:
    location = Location.objects.select_for_update().get(pk=location.pk)
    if not active and location.children.filter(is_active=True).exists():
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Location %(path)s still has active locations inside it; deactivate them first.")
            % {"path": location.path},
        )
    if active and location.parent is not None and not location.parent.is_active:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("The parent location %(parent)s is inactive.") % {"parent": location.parent.path},
        )
    if location.is_active != active:
        audit.record(
            AuditAction.TRANSITION,
            location,
            by=by,
            changes={"is_active": [location.is_active, active]},
        )
    location.is_active = active
    location.save(update_fields=["is_active"])
    return location


@transaction.atomic
def grant_role(*, user, site: Site, role: str, by=None) -> Membership:
    if role not in Role.values:
        raise DomainError(ErrorCode.VALIDATION, _("%(role)s is not a role.") % {"role": role})
    if user.organization_id and user.organization_id != site.organization_id:
        raise DomainError(
            ErrorCode.SITE_NOT_ALLOWED,
            _("%(user)s belongs to another organization than site %(site)s.")
            % {"user": user, "site": site.code},
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        site=site,
        role=role,
        revoked_at__isnull=True,
        defaults={"organization_id": site.organization_id, "granted_by": by},
    )
    if created:
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            membership,
            by=by,
            changes={"role": [None, role], "user": [None, user.username]},
        )
    access.forget(user)
    return membership


@transaction.atomic
def revoke_role(*, membership: Membership, by) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        raise DomainError(ErrorCode.INVALID_STATE, _("This role was already revoked."))
    if membership.role == Role.SYSTEM_ADMIN and not (
        Membership.objects.filter(
            site_id=membership.site_id, role=Role.SYSTEM_ADMIN, revoked_at__isnull=True
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Site %(site)s would have no system administrator left.")
            % {"site": membership.site.code},
        )
    membership.revoked_at = timezone.now()
    membership.revoked_by = by
    membership.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        membership,
        by=by,
        changes={"role": [membership.role, None], "user": [membership.user.username, None]},
    )
    access.forget(membership.user)
    return membership


DEFAULT_LOCATIONS = [
    ("RCV", "收货区", "Receiving", LocationKind.RECEIVING),
    ("QUA", "待检区", "Quarantine", LocationKind.QUARANTINE),
    ("STK", "合格品库", "Stock", LocationKind.STOCK),
    ("PRD", "生产区", "Production", LocationKind.PRODUCTION),
    ("SHP", "发货区", "Shipping", LocationKind.SHIPPING),
    ("RET", "退货区", "Returns", LocationKind.RETURNS),
    ("SCR", "报废区", "Scrap", LocationKind.SCRAP),
]


def create_default_locations(*, site: Site, by=None) -> list[Location]:
    """One location of each kind, so a fresh site can receive, store and ship at once."""
    return [
        create_location(site=site, code=code, name=name, name_en=name_en, kind=kind, by=by)
        for code, name, name_en, kind in DEFAULT_LOCATIONS
        if not Location.objects.filter(site=site, code=code).exists()
    ]
