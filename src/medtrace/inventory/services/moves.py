"""Every stock movement, as one trace event: receipts, putaway and transfers, issues to
production, picks, shipments, count adjustments, scrap and returns all come through `move`.

The event names the location the goods leave and the one they reach (CBV source and
destination type `location`), so the ledger (inventory.ledger) derives the stock from the
event itself, in the recording transaction: stock never goes negative, and a movement
refused for any reason writes nothing.

A movement may carry a client key (a scan made offline and sent again when the connection
is back, an API retry): its event ID follows from the key, so the same key records once and
answers the first recording again."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.org.models import Location, Site
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Lot, TraceEvent, TraceObject
from medtrace.trace.services.recording import record_event

from .. import statuses
from ..choices import Operation
from ..ledger import epcis_uom, location_uri

# The most digits a quantity may carry after the decimal point (the ledger's precision).
QUANTITY_PLACES = 6
# How far in the future a client's scan time may lie (clocks drift; the future does not).
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class Line:
    """What moves: a lot and how much of it (None: all of it at the source), a unit, or a
    case or pallet with its contents."""

    object: TraceObject
    quantity: Decimal | None = None


def quantity(value, *, field: str = "quantity") -> Decimal:
    """A positive quantity with at most six decimals, or a refusal naming the rule."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        _refuse(_("%(value)s is not a number.") % {"value": value}, field)
    if number <= 0:
        _refuse(_("A quantity must be more than zero."), field)
    if -number.as_tuple().exponent > QUANTITY_PLACES:
        _refuse(
            _("A quantity has at most %(places)s decimal places.") % {"places": QUANTITY_PLACES},
            field,
        )
    if number >= Decimal(10) ** 12:
        _refuse(_("%(value)s is more than any stock can hold.") % {"value": value}, field)
    return number


def _refuse(message, field: str | None = None, code=ErrorCode.VALIDATION):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def event_id_for(organization, key: str) -> str:
    """The event ID a client key stands for: stable, so a resent scan finds its event."""
    name = f"urn:medtrace:{organization.slug}:movement:{key}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def already_recorded(organization, key: str | None) -> TraceEvent | None:
    if not key:
        return None
    return (
        TraceEvent.objects.filter(
            organization=organization,
            event_id=event_id_for(organization, key),
            declares__isnull=True,
        )
        .order_by()
        .first()
    )


@transaction.atomic
def move(
    *,
    site: Site,
    lines: list[Line],
    operation: Operation,
    biz_step: str,
    by,
    source: Location | None = None,
    destination: Location | None = None,
    disposition: str | None = None,
    action: str = "OBSERVE",
    parties_from: tuple[TypedId, ...] = (),
    parties_to: tuple[TypedId, ...] = (),
    biz_transactions: tuple[TypedId, ...] = (),
    ilmd: dict | None = None,
    reason: str = "",
    key: str | None = None,
    at: datetime | None = None,
) -> TraceEvent:
    """Record one movement at `site`: `lines` leave `source` and reach `destination` (either
    may be None: a receipt has no source of ours, a shipment or scrap no destination). The
    operation decides which statuses may move (statuses.require)."""
    organization = site.organization
    earlier = already_recorded(organization, key)
    if earlier is not None:
        return earlier
    if not lines:
        _refuse(_("Scan or choose what to move."), "lines")
    if source is None and destination is None:
        _refuse(_("A movement needs a location to leave or reach."), "destination")
    for location, label in ((source, "source"), (destination, "destination")):
        if location is not None and location.organization_id != organization.pk:
            _refuse(_("%(location)s is not known here.") % {"location": location}, label)
    if source is not None and source.site_id != site.pk:
        _refuse(
            _("%(location)s is not at site %(site)s.")
            % {"location": source.path, "site": site.code},
            "source",
        )
    if source is not None and destination is not None and source.pk == destination.pk:
        _refuse(
            _("The goods are already at %(location)s.") % {"location": source.path}, "destination"
        )
    for location in (source, destination):
        if location is not None and not location.is_active:
            _refuse(
                _("Location %(location)s is closed.") % {"location": location.path},
                code=ErrorCode.INVALID_STATE,
            )
    when = at or timezone.now()
    if when > timezone.now() + timedelta(seconds=CLOCK_SKEW_SECONDS):
        _refuse(_("The movement's time lies in the future."), "at")
    objects = [line.object for line in lines]
    for obj in objects:
        if obj.organization_id != organization.pk:
            _refuse(_("%(object)s is not known here.") % {"object": obj}, "lines")
    statuses.require(objects, operation, today=site.local_date(when))
    event = Event(
        event_type="ObjectEvent",
        event_id=event_id_for(organization, key) if key else f"urn:uuid:{uuid.uuid4()}",
        event_time=when,
        event_time_zone_offset=event_offset(site, when),
        action=action,
        biz_step=biz_step,
        disposition=disposition,
        read_point=location_uri(destination or source),
        biz_location=location_uri(destination) if destination is not None else None,
        epc_list=tuple(
            line.object.identifier for line in lines if line.object.kind != ObjectKind.LOT
        ),
        quantity_list=tuple(
            _quantity_element(line) for line in lines if line.object.kind == ObjectKind.LOT
        ),
        biz_transactions=biz_transactions,
        sources=(
            *parties_from,
            *((TypedId("location", location_uri(source)),) if source is not None else ()),
        ),
        destinations=(
            *parties_to,
            *((TypedId("location", location_uri(destination)),) if destination else ()),
        ),
        ilmd=ilmd or {},
    )
    return record_event(event, organization=organization, site=site, by=by, reason=reason)


def set_status(
    *,
    site: Site,
    objects: list[TraceObject],
    biz_step: str,
    disposition: str,
    by,
    reason: str,
    event_id: str,
    read_point: Location | None = None,
    biz_transactions: tuple[TypedId, ...] = (),
) -> TraceEvent:
    """A status change where the goods are (a hold, a release, a recall): one ObjectEvent naming
    the lots (whole, with their units' stock) and units with the new disposition; it moves
    nothing. `event_id` is named by the caller, so the same change never records twice."""
    now = timezone.now()
    event = Event(
        event_type="ObjectEvent",
        event_id=event_id,
        event_time=now,
        event_time_zone_offset=event_offset(site, now),
        action="OBSERVE",
        biz_step=biz_step,
        disposition=disposition,
        read_point=location_uri(read_point) if read_point is not None else None,
        epc_list=tuple(obj.identifier for obj in objects if obj.kind != ObjectKind.LOT),
        quantity_list=tuple(
            QuantityElement(obj.identifier) for obj in objects if obj.kind == ObjectKind.LOT
        ),
        biz_transactions=biz_transactions,
    )
    return record_event(event, organization=site.organization, site=site, by=by, reason=reason)


def _quantity_element(line: Line) -> QuantityElement:
    lot = line.object if isinstance(line.object, Lot) else Lot.objects.get(pk=line.object.pk)
    if line.quantity is not None and lot.item.tracking == "serial":
        _refuse(
            _("%(item)s is serialized: scan the units of lot %(lot)s, not a quantity.")
            % {"item": lot.item.code, "lot": lot.lot_number},
            "lines",
        )
    if line.quantity is None:
        return QuantityElement(lot.identifier)
    return QuantityElement(lot.identifier, quantity(line.quantity), epcis_uom(lot.item.unit))


def event_offset(site: Site, when: datetime) -> str:
    text = when.astimezone(ZoneInfo(site.time_zone)).strftime("%z")
    return f"{text[:3]}:{text[3:]}"
