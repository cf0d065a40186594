"""Reads of the trace: which traced objects a user may see, and what a scanned or typed code
names (the header scan box, `medtrace trace`, GET /api/v1/trace)."""

from dataclasses import replace

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.identifiers import canonical, keys
from medtrace.org.access import site_ids_with_perm
from medtrace.scan import ScanError, parse
from medtrace.trace import identifiers
from medtrace.trace.engine import TraceResult
from medtrace.trace.models import Container, Lot, TraceEvent, TraceObject, Unit

URI_PREFIXES = ("http://", "https://", "urn:")


def visible(queryset: QuerySet, user, *, perm: str = "trace.view_traceobject") -> QuerySet:
    """Objects of the user's organization at sites where they may see the trace; objects no
    site has claimed yet (met only in captured events) are visible organization-wide."""
    return queryset.filter(organization_id=user.organization_id).filter(
        Q(site__isnull=True) | Q(site_id__in=site_ids_with_perm(user, perm))
    )


def visible_events(user) -> QuerySet:
    return visible(TraceEvent.objects.all(), user, perm="trace.view_traceevent")


def find(user, text: str) -> list[TraceObject]:
    """The objects `text` names, as the user may see them: any scan (GS1, Digital Link, EPC
    URN, HIBC, MA), a medtrace URI, or a bare lot number, serial number, SSCC or container
    code. Several objects when a bare number is used by several items."""
    text = (text or "").strip()
    if not text:
        raise DomainError(ErrorCode.VALIDATION, _("Scan or type a code to trace."))
    if "\x00" in text:  # no symbology encodes it, and PostgreSQL cannot compare it
        raise DomainError(ErrorCode.VALIDATION, _("A code cannot contain a NUL character."))
    objects = visible(TraceObject.objects.all(), user)
    wanted = _identifiers(text, user)
    if wanted:
        found = list(objects.filter(identifier__in=wanted))
        if found:
            return found
    bare = (
        Q(pk__in=Lot.objects.filter(lot_number=text).values("pk"))
        | Q(pk__in=Unit.objects.filter(serial=text).values("pk"))
        | Q(pk__in=Container.objects.filter(sscc=text).values("pk"))
        | Q(identifier=identifiers.container_identifier(code=text))
    )
    return list(objects.filter(bare).order_by("kind", "pk")[:50])


def shortest_code(user, lot: Lot) -> str:
    """How a lot is best written for this user: its number when that alone names it, else
    its full identifier."""
    found = find(user, lot.lot_number)
    return lot.lot_number if [obj.pk for obj in found] == [lot.pk] else lot.identifier


def find_one(user, text: str) -> TraceObject:
    """The one object `text` names; refused when it names none or several."""
    found = find(user, text)
    if not found:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("Nothing traced here is named %(code)s.") % {"code": text},
            scanned=text,
        )
    if len(found) > 1:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("%(code)s names %(count)s objects; scan the full label or give the item.")
            % {"code": text, "count": len(found)},
            candidates=[obj.identifier for obj in found],
        )
    return found[0]


def _identifiers(text: str, user) -> list[str]:
    """The canonical identifiers a code can stand for (none when it is no known scheme)."""
    if text.startswith("urn:medtrace:"):
        return [text]
    if text.startswith(URI_PREFIXES):
        try:
            uri = canonical(text)
        except DomainError:
            return []
        return [_object_identifier(keys(uri))] if uri.startswith("https://id.gs1.org/") else [uri]
    try:
        scanned = parse(text)
    except ScanError:
        return []
    if scanned.scheme in ("gs1", "gs1-digital-link"):
        found = _object_identifier(scanned.ais)
        return [found] if found else []
    if scanned.device_identifier and (scanned.lot or scanned.serial):
        return _by_device_identifier(user, scanned)
    return []


def _object_identifier(ais: dict[str, str]) -> str | None:
    if "00" in ais:
        return identifiers.container_identifier(sscc=ais["00"])
    gtin = ais.get("01")
    if gtin and "21" in ais:
        return identifiers.unit_identifier(item_code="", serial=ais["21"], gtin=gtin)
    if gtin and "10" in ais:
        return identifiers.lot_identifier(item_code="", lot_number=ais["10"], gtin=gtin)
    return None


def _by_device_identifier(user, scanned) -> list[str]:
    """HIBC and MA labels: the item is the DI's; lots and units by their number within it."""
    identifier = (
        DeviceIdentifier.objects.filter(
            organization_id=user.organization_id, value=scanned.device_identifier
        )
        .select_related("item")
        .first()
    )
    if identifier is None:
        return []
    if scanned.serial:
        unit = Unit.objects.filter(item=identifier.item, serial=scanned.serial).first()
        return [unit.identifier] if unit else []
    lot = Lot.objects.filter(item=identifier.item, lot_number=scanned.lot).first()
    return [lot.identifier] if lot else []


def visible_result(result: TraceResult, user) -> TraceResult:
    """The trace as the user may see it: lots, units and containers of sites they cannot see
    are left out (the genealogy still passes through them, so nothing visible is lost)."""
    allowed = site_ids_with_perm(user, "trace.view_traceobject")

    def keep(objects):
        return [obj for obj in objects if obj.site_id is None or obj.site_id in allowed]

    return replace(
        result,
        lots=keep(result.lots),
        units=keep(result.units),
        containers=keep(result.containers),
    )


def object_url(object_id: str, site) -> str | None:
    """The trace page of a lot, unit or container named in the audit trail."""
    return reverse("trace:object", args=[int(object_id)]) if object_id.isdigit() else None


def object_for_history(user, object_id: str) -> TraceObject:
    found = visible(TraceObject.objects.all(), user).filter(
        pk=int(object_id) if object_id.isdigit() else 0
    )
    obj = found.first()
    if obj is None:
        raise Http404
    return obj
