"""A recall's scope: the trace engine's forward trace from the roots (a lot, a unit, our lots of
a supplier's lot), broken down by where each affected lot or unit is: in our stock (per site
and location; a production line is work in progress) and at each consignee a shipment sent it
to, directly or inside a case or pallet (its contents at the time of shipping). A unit back in
our stock (returned) is where it is now, not at the consignee it came back from.

Each computation is frozen as a numbered snapshot with its time, its roots and the difference
from the snapshot before."""

import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from medtrace.inventory.models import Stock
from medtrace.org.choices import LocationKind
from medtrace.recall.choices import Place
from medtrace.recall.models import Recall, ScopeEntry, ScopeSnapshot
from medtrace.trace.choices import ObjectKind, ObjectRole, PartyRole
from medtrace.trace.engine import FORWARD, reach
from medtrace.trace.models import Consignment, Containment, EventObject, Lot, TraceObject, Unit


@dataclass(frozen=True)
class Affected:
    """An affected lot or unit, as much of it as the scope needs (read as values: a scope can
    hold a hundred thousand units)."""

    pk: int
    kind: str
    identifier: str
    item_id: int
    uom: str  # the item's unit
    lot_id: int | None  # a lot's own id; a unit's lot
    serial: str = ""


@dataclass
class Computed:
    objects: dict[int, Affected] = field(default_factory=dict)  # affected lots and units
    entries: list[ScopeEntry] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def summary(self) -> dict:
        places = {}
        for entry in self.entries:
            places[entry.place] = places.get(entry.place, 0) + 1
        return {
            "objects": sorted(obj.identifier for obj in self.objects.values()),
            "lots": sum(1 for obj in self.objects.values() if obj.kind == ObjectKind.LOT),
            "units": sum(1 for obj in self.objects.values() if obj.kind == ObjectKind.UNIT),
            "consignees": len(
                {entry.party_id for entry in self.entries if entry.place == Place.CONSIGNEE}
            ),
            "places": places,
        }


def affected(roots: list[TraceObject]) -> tuple[dict[int, Affected], set[int]]:
    """The lots and units affected (the roots among them) and the containers that ever held
    one of them, over the forward trace of all roots (one statement, however many roots)."""
    reached = reach(roots, FORWARD)
    ids = reached.lots | reached.units
    ids |= {root.pk for root in roots if root.kind in (ObjectKind.LOT, ObjectKind.UNIT)}
    objects = {}
    for chunk in _chunks(ids):
        for pk, identifier, item, uom in Lot.objects.filter(pk__in=chunk).values_list(
            "pk", "identifier", "item_id", "item__unit"
        ):
            objects[pk] = Affected(pk, ObjectKind.LOT, identifier, item, uom, pk)
        for pk, identifier, item, uom, lot, serial in Unit.objects.filter(pk__in=chunk).values_list(
            "pk", "identifier", "item_id", "item__unit", "lot_id", "serial"
        ):
            objects[pk] = Affected(pk, ObjectKind.UNIT, identifier, item, uom, lot, serial)
    return objects, reached.containers


def _chunks(ids, size: int = 5000):
    """Big id sets a piece at a time (SQLite allows some 32k parameters a statement)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


class Packing:
    """What the scope's cases and pallets held, and when, read in two queries: contents at a
    moment are then found in memory (a shipment of a pallet opens its cases)."""

    def __init__(self, containers: set[int]):
        self.intervals: dict[int, list[tuple]] = {}
        rows = [
            row
            for chunk in _chunks(containers)
            for row in Containment.objects.filter(container_id__in=chunk).values_list(
                "container_id", "content_id", "valid_from", "valid_to", "packed_by_id",
                "content__kind",
            )
        ]  # fmt: skip
        packed_lots = set()
        for container, content, since, until, packed_by, kind in rows:
            self.intervals.setdefault(container, []).append((content, since, until, kind))
            if kind == ObjectKind.LOT:
                packed_lots.add((packed_by, content))
        self.quantities = {}
        if packed_lots:
            for event, obj, quantity, uom in EventObject.objects.filter(
                role=ObjectRole.CHILD,
                event_id__in={event for event, _obj in packed_lots},
                object_id__in={obj for _event, obj in packed_lots},
            ).values_list("event_id", "object_id", "quantity", "uom"):
                self.quantities[event, obj] = (quantity, uom)
        self.packed_by = {
            (container, content, since): packed_by
            for container, content, since, _until, packed_by, _kind in rows
        }

    def contents(self, container: int, moment) -> list[tuple[int, Decimal | None, str]]:
        found = []
        for content, since, until, kind in self.intervals.get(container, ()):
            if since > moment or (until is not None and until <= moment):
                continue
            if kind == ObjectKind.CONTAINER:
                found += self.contents(content, moment)
            elif kind == ObjectKind.UNIT:
                found.append((content, Decimal(1), ""))
            else:
                event = self.packed_by[container, content, since]
                quantity, uom = self.quantities.get((event, content), (None, ""))
                found.append((content, quantity, uom))
        return found


def compute(roots: list[TraceObject]) -> Computed:
    started = time.perf_counter()
    objects, containers = affected(roots)
    found = Computed(objects=objects)
    units = {pk for pk, obj in objects.items() if obj.kind == ObjectKind.UNIT}

    def entry(object_id, place, quantity, uom, **where) -> ScopeEntry:
        obj = objects[object_id]
        return ScopeEntry(
            object_id=object_id,
            item_id=obj.item_id,
            lot_id=obj.lot_id,
            serial=obj.serial,
            place=place,
            quantity=quantity,
            uom=uom,
            **where,
        )

    held_here = set()
    stock = (
        row
        for chunk in _chunks(objects)
        for row in Stock.objects.filter(object_id__in=chunk, quantity__gt=0).values_list(
            "object_id", "quantity", "uom", "location_id", "location__kind"
        )
    )
    for object_id, quantity, uom, location, kind in stock:
        place = Place.WIP if kind == LocationKind.PRODUCTION else Place.STOCK
        found.entries.append(entry(object_id, place, quantity, uom, location_id=location))
        held_here.add(object_id)
    seen = set()
    packing = Packing(containers)
    consignments = sorted(
        row
        for chunk in _chunks(set(objects) | containers)
        for row in Consignment.objects.filter(
            object_id__in=chunk, role=PartyRole.DESTINATION
        ).values_list("event_time", "pk", "object_id", "quantity", "party_id", "event_id")
    )
    for moment, _pk, shipped, shipped_quantity, party, event in consignments:
        if shipped in objects:
            carried = [(shipped, shipped_quantity, "")]
        else:
            carried = [
                (object_id, quantity, uom)
                for object_id, quantity, uom in packing.contents(shipped, moment)
                if object_id in objects
            ]
        for object_id, quantity, uom in carried:
            key = (object_id, party, event)
            if key in seen or (object_id in units and object_id in held_here):
                continue
            seen.add(key)
            if object_id in units:
                quantity = Decimal(1)
            found.entries.append(
                entry(
                    object_id,
                    Place.CONSIGNEE,
                    quantity,
                    uom or objects[object_id].uom,
                    party_id=party,
                    shipment_id=event,
                )
            )
    found.elapsed_ms = (time.perf_counter() - started) * 1000
    return found


@transaction.atomic
def freeze(recall: Recall, roots: list[TraceObject], *, by, reason: str = "") -> ScopeSnapshot:
    """Compute the scope from `roots` and keep it as the recall's next snapshot."""
    found = compute(roots)
    before = recall.current_scope()
    summary = found.summary()
    diff = {}
    if before is not None:
        old, new = set(before.summary.get("objects", [])), set(summary["objects"])
        diff = {"added": sorted(new - old), "removed": sorted(old - new)}
    snapshot = ScopeSnapshot.objects.create(
        recall=recall,
        version=(before.version + 1) if before else 1,
        computed_at=timezone.now(),
        computed_by=by,
        reason=reason.strip(),
        roots=sorted(root.identifier for root in roots),
        summary=summary,
        diff=diff,
        elapsed_ms=round(found.elapsed_ms),
    )
    for each in found.entries:
        each.scope = snapshot
    ScopeEntry.objects.bulk_create(found.entries, batch_size=1000)
    return snapshot
