"""The stock ledger, derived from each event as the trace core records it (same transaction).

An event moves stock when it names one of our locations as a source or destination of type
`location` (CBV source/destination types; our locations are urn:medtrace:location:<site>:
<code>): its objects leave the source location and arrive at the destination location. A
transformation takes its inputs from the source and puts its outputs at the destination.
Units count one each, lots the quantity the event gives (none: all of it at the source), a
case or pallet its contents at the event's time. A serialized item's stock is held by unit: a
quantity of its lot moves nothing (which units?), the lot without a quantity moves all its
units at the source. Aggregations, and events naming no location of ours, move nothing. A
balance may not go negative: the event is refused, and with it the whole recording
transaction."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import Tracking
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.org.models import Location
from medtrace.trace.choices import ObjectKind, ObjectRole
from medtrace.trace.identifiers import LOCATION_PREFIX, location_identifier
from medtrace.trace.models import Containment, EventObject, Lot, TraceEvent, TraceObject, Unit

from .models import Stock, StockMove

# CBV 2.0 source/destination type "location", as written in EPCIS 2.0 JSON and as full URIs.
LOCATION_TYPES = {
    "location",
    "urn:epcglobal:cbv:sdt:location",
    "https://ref.gs1.org/cbv/SDT-location",
}


def location_uri(location: Location) -> str:
    return location_identifier(site_code=location.site.code, code=location.code)


@dataclass(frozen=True)
class _Move:
    location: Location
    object_id: int
    quantity: Decimal  # signed
    uom: str


def apply(organization, recorded: list[tuple], retracted: list[tuple[TraceEvent, TraceEvent]]):
    """Write the moves of newly recorded events (`recorded`: (Event, TraceEvent, touched
    rows)) and reverse those of retracted ones (`retracted`: (declaration, declared))."""
    places = _Places(organization)
    lines: list[tuple[TraceEvent, _Move]] = []
    for event, row, touched in recorded:
        source, destination = places.ends(event)
        if source is None and destination is None:
            continue
        for move in _moves(event, row, touched, source, destination):
            lines.append((row, move))
    for declaration, declared in retracted:
        for line in StockMove.objects.filter(event=declared).select_related("location"):
            lines.append(
                (declaration, _Move(line.location, line.object_id, -line.quantity, line.uom))
            )
    if lines:
        _post(organization, lines)


class _Places:
    """Our locations named by URN, looked up once per batch."""

    def __init__(self, organization):
        self.organization = organization
        self.found: dict[str, Location] = {}

    def ends(self, event) -> tuple[Location | None, Location | None]:
        return self._one(event.sources, "source"), self._one(event.destinations, "destination")

    def _one(self, typed_ids, label) -> Location | None:
        ours = [
            each.value
            for each in typed_ids
            if each.type in LOCATION_TYPES and each.value.startswith(LOCATION_PREFIX)
        ]
        if not ours:
            return None
        if len(set(ours)) > 1:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("An event moves stock from one %(end)s location at most; it names %(count)s.")
                % {"end": label, "count": len(set(ours))},
            )
        return self._location(ours[0])

    def _location(self, uri: str) -> Location:
        if uri not in self.found:
            site_code, _sep, code = uri[len(LOCATION_PREFIX) :].partition(":")
            location = (
                Location.objects.select_related("site")
                .filter(organization=self.organization, site__code=site_code, code=code)
                .first()
            )
            if location is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    _("Location %(location)s is not known here.") % {"location": uri},
                )
            self.found[uri] = location
        return self.found[uri]


def _moves(event, row: TraceEvent, touched, source, destination) -> list[_Move]:
    if event.event_type == "TransformationEvent":
        ends = {ObjectRole.INPUT: (source, None), ObjectRole.OUTPUT: (None, destination)}
    elif event.event_type in ("ObjectEvent", "TransactionEvent"):
        ends = {ObjectRole.OBJECT: (source, destination)}
    else:
        return []
    # A lot the event names directly counts by the quantity given there, not again as the
    # contents of a case the event also names (a release of a lot and its cases); a unit
    # counts once however many of the named cases and pallets hold it.
    direct = {entry.object_id for entry in touched if entry.object_id is not None}
    moves, units = [], set()
    for entry in touched:
        if entry.object_id is None or entry.role not in ends:
            continue
        leaves, arrives = ends[entry.role]
        if leaves is None and arrives is None:
            continue  # a consumption's output, named to link genealogy, arrives nowhere
        for object_id, quantity, uom, is_unit in _contents(entry, row.event_time, leaves):
            packed = object_id != entry.object_id
            if (packed and object_id in direct) or (is_unit and object_id in units):
                continue
            if is_unit:
                units.add(object_id)
            if leaves is not None:
                moves.append(_Move(leaves, object_id, -quantity, uom))
            if arrives is not None:
                moves.append(_Move(arrives, object_id, quantity, uom))
    return moves


def _contents(entry, moment, source) -> list[tuple[int, Decimal, str, bool]]:
    """(object, quantity, uom, is a unit) the entry stands for: a lot's quantity, a unit,
    the contents of a case or pallet."""
    obj = TraceObject.objects.get(pk=entry.object_id)
    if obj.kind == ObjectKind.CONTAINER:
        return _packed(entry.object_id, moment)
    if obj.kind == ObjectKind.UNIT:
        return [(obj.pk, Decimal(1), _unit_uom(obj.pk), True)]
    lot = Lot.objects.select_related("item").get(pk=obj.pk)
    if entry.quantity is not None and lot.item.tracking == Tracking.SERIAL:
        # A serialized lot's stock is its units: a count of them says not which moved.
        return []
    if entry.quantity is not None:
        return [(lot.pk, Decimal(entry.quantity), _uom(entry.uom, lot), False)]
    if source is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Lot %(lot)s arrives without a quantity; say how much.") % {"lot": lot.lot_number},
        )
    # No quantity: everything of the lot at the source, held as the lot or as its units.
    held = Stock.objects.filter(location=source).filter(Q(object=lot) | Q(lot=lot))
    return [
        (stock.object_id, stock.quantity, stock.uom, stock.object_id != lot.pk) for stock in held
    ]


# EPCIS quantities carry UN/ECE Rec. 20 codes for measured units (counted ones go without);
# stock keeps the catalog's units.
REC20 = {"KG": "KGM", "G": "GRM", "L": "LTR", "ML": "MLT", "M": "MTR"}
CATALOG_UNIT = {code: unit for unit, code in REC20.items()}


def epcis_uom(unit: str) -> str | None:
    """The Rec. 20 code an event writes for a catalog unit (None for counted units)."""
    return REC20.get(unit)


def _uom(given: str | None, lot: Lot) -> str:
    """The stock's unit: the catalog's, whatever code the event wrote it in."""
    return CATALOG_UNIT.get(given, given) if given else lot.item.unit


def _unit_uom(unit_id: int) -> str:
    return Unit.objects.select_related("item").get(pk=unit_id).item.unit


def _packed(container_id: int, moment) -> list[tuple[int, Decimal, str, bool]]:
    """What the container held at `moment`, nested containers opened: units, and lot
    quantities as their packing event gave them."""
    found = []
    intervals = Containment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=moment),
        container_id=container_id,
        valid_from__lte=moment,
    ).values_list("content_id", "packed_by_id", "content__kind")
    for content_id, packed_by, kind in intervals:
        if kind == ObjectKind.CONTAINER:
            found += _packed(content_id, moment)
        elif kind == ObjectKind.UNIT:
            found.append((content_id, Decimal(1), _unit_uom(content_id), True))
        else:
            packing = EventObject.objects.get(
                event_id=packed_by, object_id=content_id, role=ObjectRole.CHILD
            )
            if packing.quantity is None:
                raise DomainError(
                    ErrorCode.VALIDATION,
                    _("Case %(case)s holds a lot packed without a quantity.")
                    % {"case": container_id},
                )
            lot = Lot.objects.select_related("item").get(pk=content_id)
            found.append((content_id, Decimal(packing.quantity), _uom(packing.uom, lot), False))
    return found


def _post(organization, lines: list[tuple[TraceEvent, _Move]]) -> None:
    """Lock the balances the moves touch (in one order, so concurrent postings queue rather
    than deadlock), refuse any that would go negative, then write balances and moves."""
    objects = {
        obj.pk: obj
        for obj in TraceObject.objects.filter(pk__in={move.object_id for _row, move in lines})
    }
    # A unit's stock is also its lot's: the lot column reads one way for both.
    lot_of = dict(Unit.objects.filter(pk__in=objects).values_list("pk", "lot_id"))
    items = dict(Unit.objects.filter(pk__in=objects).values_list("pk", "item_id"))
    for pk, item_id in Lot.objects.filter(pk__in=objects).values_list("pk", "item_id"):
        lot_of[pk], items[pk] = pk, item_id
    delta: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    where: dict[int, Location] = {}
    uoms: dict[tuple[int, int], str] = {}
    for _row, move in lines:
        key = (move.location.pk, move.object_id)
        delta[key] += move.quantity
        where[move.location.pk] = move.location
        uoms.setdefault(key, move.uom)
    keys = sorted(delta)
    current = {}
    for location_id, object_id in keys:
        current[(location_id, object_id)] = (
            Stock.objects.select_for_update()
            .filter(location_id=location_id, object_id=object_id)
            .first()
        )
    for key in keys:
        stock = current[key]
        have = stock.quantity if stock is not None else Decimal(0)
        after = have + delta[key]
        if after < 0:
            location, obj = where[key[0]], objects[key[1]]
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("Only %(have)s %(uom)s of %(object)s at %(location)s; %(wanted)s asked.")
                % {
                    "have": plain(have),
                    "uom": uoms[key],
                    "object": _name(obj),
                    "location": location.path,
                    "wanted": plain(-delta[key]),
                },
                object=obj.identifier,
                location=location.path,
                available=plain(have),
            )
        if stock is None:
            if after == 0:
                continue
            location = where[key[0]]
            Stock.objects.create(
                organization=organization,
                site_id=location.site_id,
                location=location,
                object_id=key[1],
                lot_id=lot_of.get(key[1]),
                item_id=items[key[1]],
                quantity=after,
                uom=uoms[key],
            )
        elif after == 0:
            stock.delete()
        else:
            stock.quantity = after
            stock.save(update_fields=["quantity", "updated_at"])
    StockMove.objects.bulk_create(
        StockMove(
            organization=organization,
            site_id=move.location.site_id,
            event=row,
            event_time=row.event_time,
            location=move.location,
            object_id=move.object_id,
            lot_id=lot_of.get(move.object_id),
            item_id=items[move.object_id],
            quantity=move.quantity,
            uom=move.uom,
        )
        for row, move in lines
    )


def _name(obj: TraceObject) -> str:
    if obj.kind == ObjectKind.UNIT:
        return str(_("unit %(serial)s") % {"serial": obj.as_unit.serial})
    return str(_("lot %(lot)s") % {"lot": obj.as_lot.lot_number})
