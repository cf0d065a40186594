"""Derived state, kept in step with the event log inside the recording transaction:
genealogy links from transformations, containment intervals from aggregations (rebuilt per
container in event-time order, so late and corrective events re-derive correctly),
consignments to destinations and from sources, and each object's current disposition and
location (a lot-level event counts for every unit of the lot)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from medtrace.trace.choices import RECEIVING_STEPS, LinkKind, ObjectRole, PartyRole
from medtrace.trace.identifiers import LOCATION_PREFIX
from medtrace.trace.models import (
    Consignment,
    Containment,
    EventObject,
    GenealogyLink,
    TraceEvent,
    TraceObject,
    Unit,
)
from medtrace.trace.services.rows import insert_rows, update_rows

CHUNK = 500
LINK_FIELDS = (
    "organization_id", "kind", "source_id", "target_id", "event_id", "event_time", "quantity",
    "uom",
)  # fmt: skip
CONSIGNMENT_FIELDS = (
    "organization_id", "event_id", "event_time", "object_id", "party_id", "role", "quantity",
)  # fmt: skip
CONTAINMENT_FIELDS = (
    "organization_id", "container_id", "content_id", "valid_from", "valid_to", "packed_by_id",
    "unpacked_by_id",
)  # fmt: skip
PARTY_TYPES = ("owning_party", "possessing_party", "location")


@dataclass
class Changes:
    """What a batch touched, so derived state is rebuilt once per object at the end; the
    genealogy links and consignments of its events, written in bulk by `flush`."""

    objects: set[int] = field(default_factory=set)
    containers: set[int] = field(default_factory=set)
    links: list[tuple] = field(default_factory=list)  # LINK_FIELDS
    consignments: list[tuple] = field(default_factory=list)  # CONSIGNMENT_FIELDS
    # The new events in event-time order, with the objects whose state each may set; and
    # whether anything was retracted (then only a rebuild from the log is right).
    appended: list[tuple[TraceEvent, set[int]]] = field(default_factory=list)
    retracted: bool = False
    # Objects whose history gained older events (new ones, units joining a lot): rebuilt.
    rebuild: set[int] = field(default_factory=set)
    # The new aggregation events, in event-time order, as _aggregations gives them.
    aggregations: list[list] = field(default_factory=list)

    def add(self, event, recorded: TraceEvent, touched, resolver) -> None:
        """The event's consequences; `touched` are its event objects (role, object_id,
        quantity, uom)."""
        self.appended.append(
            (
                recorded,
                {
                    row.object_id
                    for row in touched
                    if row.object_id is not None and row.role != ObjectRole.INPUT
                },
            )
        )
        by_role = defaultdict(list)
        for row in touched:
            if row.object_id is not None:
                by_role[row.role].append(row)
                self.objects.add(row.object_id)
        if event.event_type == "TransformationEvent":
            self.links += (
                (
                    recorded.organization_id,
                    LinkKind.TRANSFORMATION,
                    source.object_id,
                    target.object_id,
                    recorded.pk,
                    recorded.event_time,
                    source.quantity,
                    source.uom,
                )
                for source in by_role[ObjectRole.INPUT]
                for target in by_role[ObjectRole.OUTPUT]
                if source.object_id != target.object_id
            )
        if event.event_type == "AggregationEvent" and by_role[ObjectRole.PARENT]:
            parent = by_role[ObjectRole.PARENT][0].object_id
            self.containers.add(parent)
            children = by_role[ObjectRole.CHILD]
            self.aggregations.append(
                [
                    recorded.pk,
                    recorded.event_time,
                    event.action,
                    parent,
                    [row.object_id for row in children],
                    {row.object_id for row in children if row.class_level},
                ]
            )
        shipped = [row for rows in by_role.values() for row in rows]
        if event.biz_step in RECEIVING_STEPS:
            # A customer returning goods is not where they came from: a return records no
            # source (the backward trace of a returned unit still ends at the suppliers).
            if event.disposition != "returned":
                self.consignments += _consignments(
                    recorded, shipped, event.sources, PartyRole.SOURCE, resolver
                )
        else:
            self.consignments += _consignments(
                recorded, shipped, event.destinations, PartyRole.DESTINATION, resolver
            )

    def flush(self) -> None:
        insert_rows(GenealogyLink, LINK_FIELDS, self.links)
        insert_rows(Consignment, CONSIGNMENT_FIELDS, self.consignments)
        self.links, self.consignments = [], []

    def retract(self, declared: TraceEvent) -> None:
        self.retracted = True
        GenealogyLink.objects.filter(event=declared).delete()
        Consignment.objects.filter(event=declared).delete()
        rows = EventObject.objects.filter(event=declared, object__isnull=False)
        for object_id, role in rows.values_list("object_id", "role"):
            self.objects.add(object_id)
            if role == ObjectRole.PARENT and declared.event_type == "AggregationEvent":
                self.containers.add(object_id)


def _consignments(recorded, touched, parties, role, resolver) -> list[tuple]:
    # Our own locations are where stock moves (inventory.ledger), not parties goods go to.
    chosen = [
        party
        for party in parties
        if party.type in PARTY_TYPES and not party.value.startswith(LOCATION_PREFIX)
    ]
    # One party per consignment: the owner when named, else who holds it, else the place.
    chosen.sort(key=lambda party: PARTY_TYPES.index(party.type))
    if not chosen:
        return []
    party = resolver.party(chosen[0].value)
    return [
        (
            recorded.organization_id,
            recorded.pk,
            recorded.event_time,
            row.object_id,
            party.pk,
            role,
            row.quantity,
        )
        for row in touched
    ]


def apply(changes: Changes, *, organization) -> None:
    changes.flush()
    if changes.containers and (
        changes.retracted or not _advance_containment(organization, changes.aggregations)
    ):
        rebuild_containment(organization, changes.containers)
    if not changes.objects:
        return
    if changes.retracted or not _advance_state(changes.appended, exclude=changes.rebuild):
        rebuild_state(changes.objects)
    elif changes.rebuild:
        rebuild_state(changes.rebuild)


def _advance_state(appended: list[tuple[TraceEvent, set[int]]], *, exclude: set[int]) -> bool:
    """The common case, events arriving after everything known of the objects they reach:
    fold them, in event-time order, into the current state of each object they set (the
    objects, the units of a lot, what a container holds at the time), without reading any
    history. Writes nothing and answers False when an event is older than the last event of
    an object it reaches: the caller then rebuilds from the log (rebuild_state, the
    definition this must agree with)."""
    direct = set().union(*(ids for _event, ids in appended))
    units_of = defaultdict(list)
    for chunk in _chunks(direct):
        for pk, lot in Unit.objects.filter(lot_id__in=chunk).values_list("pk", "lot_id"):
            units_of[lot].append(pk)
    inside = _contents(direct)
    reached = []
    for event, ids in appended:
        objects = set(ids)
        for pk in ids:
            objects.update(units_of.get(pk, ()))
            objects |= _inside_at(inside, pk, event.event_time)
        reached.append((event, objects - exclude))
    state = {}
    for chunk in _chunks(set().union(*(objects for _event, objects in reached))):
        for pk, *current in TraceObject.objects.filter(pk__in=chunk).values_list(
            "pk", "disposition", "biz_location", "location_id", "last_event_time"
        ):
            state[pk] = current
    before = dict((pk, list(current)) for pk, current in state.items())
    for event, objects in reached:
        for pk in objects:
            current = state[pk]
            if current[3] is not None and current[3] > event.event_time:
                return False
            if event.disposition:
                current[0] = event.disposition
            if event.biz_location:
                current[1], current[2] = event.biz_location, event.location_id
            current[3] = event.event_time
    changed: dict[tuple, list[int]] = defaultdict(list)
    for pk, current in state.items():
        if current != before[pk]:
            changed[tuple(current)].append(pk)
    _write_states(changed)
    return True


def _contents(containers: set[int]) -> dict[int, list[tuple]]:
    """{container: [(content, from, to)]} for the containers among `containers` and all they
    ever held, nested."""
    inside: dict[int, list[tuple]] = defaultdict(list)
    frontier = set(containers)
    while frontier:
        found = set()
        for chunk in _chunks(frontier):
            for container, content, since, until in Containment.objects.filter(
                container_id__in=chunk
            ).values_list("container_id", "content_id", "valid_from", "valid_to"):
                inside[container].append((content, since, until))
                found.add(content)
        frontier = found - set(inside)
    return inside


def _inside_at(inside: dict[int, list[tuple]], container: int, moment) -> set[int]:
    found = set()
    for content, since, until in inside.get(container, ()):
        if since <= moment and (until is None or moment < until) and content not in found:
            found |= {content} | _inside_at(inside, content, moment)
    return found


def _aggregations(**filters):
    """(event pk, time, action, parent id, [child ids], {class-level child ids}) of the
    aggregation events still in force (not declared erroneous) that match `filters` on their
    event objects."""
    rows = (
        EventObject.objects.filter(
            event__event_type="AggregationEvent",
            event__declaration__isnull=True,
            object__isnull=False,
            **filters,
        )
        .values_list(
            "event_id", "event__event_time", "event__action", "role", "object_id", "class_level"
        )
        .order_by("event__event_time", "event_id")
    )
    events = {}
    for event_id, time, action, role, object_id, class_level in rows:
        entry = events.setdefault(event_id, [event_id, time, action, None, [], set()])
        if role == ObjectRole.PARENT:
            entry[3] = object_id
        else:
            entry[4].append(object_id)
            if class_level:
                entry[5].add(object_id)
    return events


def rebuild_containment(organization, container_ids: set[int]) -> None:
    """Containment intervals of `container_ids` and of every other container that ever held
    their contents, replayed from the aggregation events in event-time order. A content
    packed elsewhere without being unpacked leaves its earlier container then (repacking)."""
    containers = set(container_ids)
    seen_contents: set[int] = set()
    while True:
        events = _event_rows_for(containers)
        contents = {child for event in events.values() for child in event[4]} - seen_contents
        if not contents:
            break
        seen_contents |= contents
        more = set()
        for chunk in _chunks(contents):
            packings = EventObject.objects.filter(
                event__event_type="AggregationEvent",
                event__declaration__isnull=True,
                role=ObjectRole.CHILD,
                object_id__in=chunk,
            ).values_list("event_id", flat=True)
            more |= set(
                EventObject.objects.filter(
                    role=ObjectRole.PARENT, event_id__in=packings, object__isnull=False
                ).values_list("object_id", flat=True)
            )
        if more <= containers:
            break
        containers |= more
    events = sorted(_event_rows_for(containers).values(), key=lambda event: (event[1], event[0]))
    # A quantity of a lot can be in several cases at once; only an instance (a unit, a
    # case) packed elsewhere has left its earlier container.
    split = set().union(*(event[5] for event in events))
    intervals = _replay(events, split, open_by_container=defaultdict(dict), where={})
    for chunk in _chunks(containers):
        Containment.objects.filter(container_id__in=chunk).delete()
    insert_rows(
        Containment,
        CONTAINMENT_FIELDS,
        ((organization.pk, *interval[:6]) for interval in intervals),
    )


def _replay(events, split: set[int], *, open_by_container: dict, where: dict) -> list[list]:
    """Aggregation events (as _aggregations gives them, in event-time order) played over the
    intervals open so far (`open_by_container`: container -> {content: interval}; `where`:
    instance-level content -> the container it is in). Intervals are [container, content,
    from, to, pack event, unpack event, stored id]; the new ones are returned, the open ones
    they close are changed in place. An instance packed elsewhere without being unpacked
    leaves its earlier container then (repacking)."""
    new = []
    for event_id, time, action, parent, children, _class_level in events:
        inside = open_by_container[parent]
        if action in ("ADD", "OBSERVE"):
            for child in children:
                if child in inside:
                    continue
                if child not in split and child in where:
                    left = open_by_container[where[child]].pop(child)
                    left[3], left[5] = time, None
                interval = inside[child] = [parent, child, time, None, event_id, None, None]
                new.append(interval)
                if child not in split:
                    where[child] = parent
        elif action == "DELETE":
            for child in children or list(inside):
                interval = inside.pop(child, None)
                if interval is not None:
                    interval[3], interval[5] = time, event_id
                    if where.get(child) == parent:
                        del where[child]
    return new


def _advance_containment(organization, aggregations: list[list]) -> bool:
    """The common case, aggregations arriving after everything known of the containers and
    contents they name: played over the intervals open now, without replaying history.
    Writes nothing and answers False when an event is older than an interval of an object
    it names, or makes a lot quantity of an earlier instance packing (the caller then
    rebuilds: rebuild_containment, the definition this must agree with)."""
    if not aggregations:
        return True
    first, batch_start = aggregations[0][1], min(event[0] for event in aggregations)
    named = {event[3] for event in aggregations}
    named |= {child for event in aggregations for child in event[4]}
    for chunk in _chunks(named):
        later = EventObject.objects.filter(
            object_id__in=chunk,
            event_id__lt=batch_start,
            event__event_type="AggregationEvent",
            event__event_time__gt=first,
        )
        if later.exists():
            return False
    stored = {}
    for chunk in _chunks(named):
        rows = Containment.objects.filter(
            Q(container_id__in=chunk) | Q(content_id__in=chunk),
            Q(valid_to__isnull=True) | Q(valid_to__gt=first) | Q(valid_from__gt=first),
        ).values_list(
            "container_id", "content_id", "valid_from", "valid_to", "packed_by_id",
            "unpacked_by_id", "pk",
        )  # fmt: skip
        for row in rows:
            if row[2] > first or row[3] is not None:
                return False
            stored[row[6]] = list(row)
    batch_split = set().union(*(event[5] for event in aggregations))
    split = _ever_class_level(batch_split, before=batch_start)
    newly_split = batch_split - split
    if newly_split and Containment.objects.filter(content_id__in=newly_split).exists():
        return False
    split |= batch_split
    open_by_container, where = defaultdict(dict), {}
    for interval in stored.values():
        open_by_container[interval[0]][interval[1]] = interval
        if interval[1] not in split:
            where[interval[1]] = interval[0]
    new = _replay(aggregations, split, open_by_container=open_by_container, where=where)
    closed = [
        (interval[3], interval[5], interval[6])
        for interval in stored.values()
        if interval[3] is not None
    ]
    if closed:
        field = Containment._meta.get_field("valid_to")
        table = connection.ops.quote_name(Containment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} "  # nosec B608 # quoted _meta table name; values are params
                "SET valid_to = %s, unpacked_by_id = %s WHERE id = %s",
                [(field.get_db_prep_save(to, connection), by, pk) for to, by, pk in closed],
            )
    insert_rows(
        Containment,
        CONTAINMENT_FIELDS,
        ((organization.pk, *interval[:6]) for interval in new),
    )
    return True


def _ever_class_level(objects: set[int], *, before: int) -> set[int]:
    """Those of `objects` packed as a quantity (class level) by an aggregation in force
    recorded before event `before`."""
    found = set()
    for chunk in _chunks(objects):
        found |= set(
            EventObject.objects.filter(
                object_id__in=chunk,
                class_level=True,
                role=ObjectRole.CHILD,
                event_id__lt=before,
                event__event_type="AggregationEvent",
                event__declaration__isnull=True,
            ).values_list("object_id", flat=True)
        )
    return found


def _event_rows_for(containers: set[int]) -> dict:
    events = {}
    for chunk in _chunks(containers):
        parent_events = EventObject.objects.filter(
            role=ObjectRole.PARENT, object_id__in=chunk
        ).values_list("event_id", flat=True)
        events.update(_aggregations(event_id__in=list(parent_events)))
    return {key: value for key, value in events.items() if value[3] is not None}


def rebuild_state(object_ids: set[int]) -> None:
    """Each object's disposition, business location, location and last event time: those of
    the latest event in force that touched it, its lot, or a container holding it at the
    time (a shipped pallet ships its cases and what they hold). Objects ending in the same
    state are updated by one statement."""
    ids = _with_units_and_contents(set(object_ids))
    changed: dict[tuple, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        lot_of = dict(
            Unit.objects.filter(pk__in=chunk, lot__isnull=False).values_list("pk", "lot_id")
        )
        held_in = _holders(set(chunk))
        current = {
            pk: state
            for pk, *state in TraceObject.objects.filter(pk__in=chunk).values_list(
                "pk", "disposition", "biz_location", "location_id", "last_event_time"
            )
        }
        watched = set(chunk) | set(lot_of.values())
        watched |= {container for held in held_in.values() for container, *_ in held}
        events_of = _events_of(watched)
        for object_id in chunk:
            history = events_of[object_id] + events_of.get(lot_of.get(object_id), [])
            for container, since, until in held_in.get(object_id, ()):
                history += [
                    event
                    for event in events_of[container]
                    if since <= event[0] and (until is None or event[0] < until)
                ]
            disposition, biz_location, location_id, last_time = "", "", None, None
            for time, _event, event_disposition, event_biz_location, event_location in sorted(
                set(history)
            ):
                last_time = time
                if event_disposition:
                    disposition = event_disposition
                if event_biz_location:
                    biz_location, location_id = event_biz_location, event_location
            state = (disposition, biz_location, location_id, last_time)
            if list(state) != current.get(object_id):
                changed[state].append(object_id)
    _write_states(changed)


def _write_states(changed: dict[tuple, list[int]]) -> None:
    """Every changed object's new state, in one batch."""
    update_rows(
        TraceObject,
        ("disposition", "biz_location", "location_id", "last_event_time"),
        ((pk, *state) for state, pks in changed.items() for pk in pks),
    )


def _with_units_and_contents(ids: set[int]) -> set[int]:
    """The objects, the units of the lots among them, and everything the containers among
    them ever held (nested too): their state may follow from the same events."""
    frontier = set(ids)
    while frontier:
        found = set()
        for chunk in _chunks(frontier):
            found |= set(Unit.objects.filter(lot_id__in=chunk).values_list("pk", flat=True))
            found |= set(
                Containment.objects.filter(container_id__in=chunk).values_list(
                    "content_id", flat=True
                )
            )
        frontier = found - ids
        ids |= frontier
    return ids


def _holders(ids: set[int]) -> dict[int, list[tuple]]:
    """{object: [(container, from, to)]}: every container that held each object, nested ones
    with the part of the interval the object was inside them all."""
    held_in: dict[int, list[tuple]] = defaultdict(list)
    level = [
        (content, container, since, until)
        for chunk in _chunks(ids)
        for content, container, since, until in Containment.objects.filter(
            content_id__in=chunk
        ).values_list("content_id", "container_id", "valid_from", "valid_to")
    ]
    while level:
        for content, container, since, until in level:
            held_in[content].append((container, since, until))
        outer = defaultdict(list)
        for chunk in _chunks({container for _c, container, _s, _u in level}):
            for content, container, since, until in Containment.objects.filter(
                content_id__in=chunk
            ).values_list("content_id", "container_id", "valid_from", "valid_to"):
                outer[content].append((container, since, until))
        following = []
        for content, container, since, until in level:
            for parent, parent_since, parent_until in outer.get(container, ()):
                start = max(since, parent_since)
                ends = [end for end in (until, parent_until) if end is not None]
                end = min(ends) if ends else None
                if end is None or start < end:
                    following.append((content, parent, start, end))
        level = following
    return held_in


def _events_of(object_ids: set[int]) -> dict[int, list[tuple]]:
    """{object: [(time, event, disposition, biz location, location)]} of the events in force
    that touched each object."""
    events_of = defaultdict(list)
    for chunk in _chunks(object_ids):
        # A transformation's disposition and place describe what it made, not what it used.
        rows = (
            EventObject.objects.filter(object_id__in=chunk, event__declaration__isnull=True)
            .exclude(role=ObjectRole.INPUT)
            .values_list(
                "object_id",
                "event__event_time",
                "event_id",
                "event__disposition",
                "event__biz_location",
                "event__location_id",
            )
        )
        for row in rows:
            events_of[row[0]].append(row[1:])
    return events_of


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
