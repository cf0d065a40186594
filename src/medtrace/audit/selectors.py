"""Reading the audit trail: who may see which entries, the log's filters, a record's history,
and the way from an entry back to the record it is about.

Entries are visible at the sites where the reader holds audit.view_auditentry; holding it at any
site also shows their organization's entries that belong to no site (sign-ins, users,
organization settings). Another organization's entries are never visible.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from medtrace.audit.models import AuditEntry
from medtrace.org import access
from medtrace.org.models import Location, Site

VIEW_PERM = "audit.view_auditentry"
VERIFY_PERM = "audit.verify_chain"
HISTORY_LIMIT = 50
NO_SITE = "-"  # the site filter's value for organization-level entries


def visible_entries(user) -> QuerySet[AuditEntry]:
    """The entries `user` may read: one queryset, no per-row checks."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    site_ids = access.site_ids_with_perm(user, VIEW_PERM)
    if not site_ids:
        return AuditEntry.objects.none()
    visible = Q(site_id__in=site_ids)
    if user.organization_id is not None:
        visible = (visible | Q(site__isnull=True)) & Q(organization_id=user.organization_id)
    return AuditEntry.objects.filter(visible)


def viewable_sites(user) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=access.site_ids_with_perm(user, VIEW_PERM)).order_by("code")


@dataclass(frozen=True)
class EntryFilters:
    """What the audit log page, its CSV export and the API narrow the trail by. Dates are whole
    days in the current time zone; `text` matches the object, its id, the reason or the user."""

    date_from: date | None = None
    date_to: date | None = None
    actor_id: int | None = None
    site_id: int | None = None
    without_site: bool = False
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    text: str = ""

    def as_dict(self) -> dict:
        """The filters in use, JSON-safe (what the export's audit entry records)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(self).items()
            if value not in (None, "", False)
        }


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(entries: QuerySet[AuditEntry], filters: EntryFilters) -> QuerySet[AuditEntry]:
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.without_site:
        entries = entries.filter(site__isnull=True)
    elif filters.site_id is not None:
        entries = entries.filter(site_id=filters.site_id)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    text = filters.text.strip()
    if text:
        entries = entries.filter(
            Q(object_repr__icontains=text)
            | Q(object_id=text)
            | Q(reason__icontains=text)
            | Q(actor_name__icontains=text)
        )
    return entries


def newest_first(entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    return entries.order_by("-at", "-pk")


def object_types(user) -> list[tuple[str, str]]:
    """(object_type, label) of the types present in the entries the user may see."""
    types = (
        visible_entries(user)
        .exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return [(name, type_label(name)) for name in types]


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    model = _model(object_type)
    if model is None:
        return object_type
    return f"{model._meta.verbose_name} ({object_type})"


def field_label(object_type: str, name: str) -> str:
    """The field's verbose name when the entry's model still has that field."""
    model = _model(object_type)
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


# The record pages an entry can link to, and how a record is found within what a user may see.
# Each record type: (url of the record given its id and the entry's site, scoped lookup).
RecordUrl = Callable[[str, Site | None], str | None]
RecordLookup = Callable[[object, str], Model]


@dataclass(frozen=True)
class RecordType:
    url: RecordUrl
    lookup: RecordLookup


_record_types: dict[str, RecordType] = {}


def register_record_type(object_type: str, url: RecordUrl, lookup: RecordLookup) -> None:
    _record_types[object_type] = RecordType(url=url, lookup=lookup)


def record_url(object_type: str, object_id: str, *, site: Site | None = None) -> str | None:
    """The page of the record an entry is about, or None when there is none. `site` is the
    entry's site, which spares a query for a site's own entries."""
    record_type = _record_types.get(object_type)
    if record_type is None or not object_id:
        return None
    try:
        return record_type.url(object_id, site)
    except NoReverseMatch:
        return None


def with_record_urls(entries) -> list[AuditEntry]:
    """The entries, each with `.record_url` (select_related("site") keeps this query-free)."""
    entries = list(entries)
    for entry in entries:
        entry.record_url = record_url(entry.object_type, entry.object_id, site=entry.site)
    return entries


def scoped_record(user, object_type: str, object_id: str):
    """The record itself when the user may see it (404 otherwise); None for a type that has
    no lookup (its entries are then scoped by visible_entries alone)."""
    record_type = _record_types.get(object_type)
    if record_type is None:
        return None
    if not object_id.isdigit():
        raise Http404
    return record_type.lookup(user, object_id)


def entries_of(record: Model) -> Q:
    return Q(object_type=record._meta.label_lower, object_id=str(record.pk))


def may_see_history(user, record: Model) -> bool:
    """Audit readers at the record's site; for a record of no site, audit readers anywhere."""
    if not user.is_authenticated:
        return False
    if access.site_id_of(record) is None:
        return user.has_perm(VIEW_PERM)
    return user.has_perm(VIEW_PERM, record)


def history(user, record: Model, limit: int = HISTORY_LIMIT) -> list[AuditEntry]:
    entries = visible_entries(user).filter(entries_of(record)).select_related("site")
    return list(newest_first(entries)[:limit])


def log_url(**params) -> str:
    return f"{reverse('audit:log')}?{urlencode(params)}"


def _by_pk(url_name: str) -> RecordUrl:
    def url(object_id: str, site: Site | None) -> str | None:
        return reverse(url_name, args=[int(object_id)]) if object_id.isdigit() else None

    return url


def _site_url(object_id: str, site: Site | None) -> str | None:
    if not object_id.isdigit():
        return None
    if site is not None and str(site.pk) == object_id:
        code = site.code
    else:
        code = Site.objects.filter(pk=object_id).values_list("code", flat=True).first()
    return reverse("org:site-detail", args=[code]) if code else None


def _site(user, object_id: str) -> Site:
    return access.get_scoped_or_404(Site.objects.all(), user, perm=VIEW_PERM, pk=object_id)


def _location(user, object_id: str) -> Location:
    return access.get_scoped_or_404(Location.objects.all(), user, perm=VIEW_PERM, pk=object_id)


def _user(user, object_id: str):
    from medtrace.accounts.selectors import visible_users

    return get_object_or_404(visible_users(user), pk=object_id)


def _job(user, object_id: str):
    from medtrace.jobs.selectors import visible_jobs

    return get_object_or_404(visible_jobs(user), pk=object_id)


register_record_type("org.site", _site_url, _site)
register_record_type("org.location", _by_pk("org:location-detail"), _location)
register_record_type("accounts.user", _by_pk("accounts:user-detail"), _user)
register_record_type("jobs.job", _by_pk("jobs:job-detail"), _job)
