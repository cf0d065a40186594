"""What the builders share: the heading language of a market, role names and their holders,
dates in the site's time zone, and the facts under a document's title."""

from zoneinfo import ZoneInfo

from django.utils import translation

from medtrace.accounts.roles import Role
from medtrace.documents.choices import Market
from medtrace.documents.generation.content import EN, ZH, Heading

H = Heading


def lead_for(market: str) -> str:
    """Chinese headings lead for NMPA; English (with the Chinese beneath) for FDA and EU."""
    return ZH if market == Market.NMPA else EN


def label(language: str, zh: str, en: str) -> str:
    return zh if language == ZH else en


def joined(language: str, names) -> str:
    return ("、" if language == ZH else ", ").join(names)


def translated(language: str, value) -> str:
    """A lazy label (a choice, a role) in the document's language."""
    with translation.override(language):
        return str(value)


def role_label(role: str, language: str) -> str:
    return translated(language, Role(role).label)


def holders(sites, role: str) -> list[str]:
    """The printed names of the active holders of `role` at any of `sites`."""
    from medtrace.org.models import Membership

    rows = Membership.objects.filter(
        site__in=sites, role=role, revoked_at__isnull=True, user__is_active=True
    ).select_related("user")
    return sorted({row.user.printed_name for row in rows})


def local(moment, site, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if moment is None:
        return "—"
    zone = ZoneInfo(site.time_zone if site is not None else "UTC")
    return moment.astimezone(zone).strftime(fmt)


def day(value) -> str:
    return value.isoformat() if value else "—"


def person(user) -> str:
    return user.printed_name if user is not None else "—"


def organization_name(organization) -> str:
    if organization.name_en and organization.name_en != organization.name:
        return f"{organization.name} / {organization.name_en}"
    return organization.name


def cover(generation, *rows) -> list[tuple[str, str]]:
    """The facts under the title: organization, site, then the template's own rows."""
    language, site = generation.language, generation.site
    return [
        (label(language, "组织", "Organization"), organization_name(generation.organization)),
        (label(language, "场所", "Site"), f"{site.code} {site.name}"
         + (f" / {site.name_en}" if site.name_en else "")),
        *rows,
    ]  # fmt: skip
