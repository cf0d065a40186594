"""The one recording service. Every physical or quality fact enters the log here, as an
EPCIS 2.0 event (medtrace.epcis.model.Event), and the derived state (genealogy, containment,
consignments, current disposition and location) is updated in the same transaction.

Events are applied in event-time order whatever the order given, and recording is
idempotent on the event ID: the same event again changes nothing, a different event under a
recorded ID is refused. An error declaration (the same event ID with `error_declaration`)
retracts an event: it stays in the log and drops out of the derived state."""

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis.codec import event_to_dict
from medtrace.epcis.model import Event
from medtrace.integration import outbox
from medtrace.inventory import ledger
from medtrace.org.models import Location, Organization, Site
from medtrace.trace.choices import ObjectRole
from medtrace.trace.identifiers import LOCATION_PREFIX
from medtrace.trace.models import EventObject, TraceEvent
from medtrace.trace.services import derivation
from medtrace.trace.services.resolution import Resolver
from medtrace.trace.services.rows import insert_rows

CHUNK = 500
# The batch's audit entry lists this many of the objects it created (and counts them all).
AUDITED_IDENTIFIERS = 200


def record_event(
    event: Event,
    *,
    organization: Organization,
    site: Site | None = None,
    by=None,
    create_missing: bool = False,
    reason: str = "",
) -> TraceEvent:
    """Record one event; audited as one entry on the event."""
    [recorded] = record_events(
        [event],
        organization=organization,
        site=site,
        by=by,
        create_missing=create_missing,
        reason=reason,
        audit_each=True,
    )
    return recorded


@transaction.atomic
def record_events(
    events: Iterable[Event],
    *,
    organization: Organization,
    site: Site | None = None,
    by=None,
    create_missing: bool = False,
    reason: str = "",
    audit_each: bool = False,
) -> list[TraceEvent]:
    """Record a batch (a captured EPCIS document, an import): all or nothing. Returns the
    events in the order given, already-recorded ones included (`is_new` tells them apart).
    Without `audit_each` the caller audits the batch as one entry (the events themselves are
    immutable rows naming who recorded them). Objects created from the identifiers
    (`create_missing`) are audited as one entry for the batch."""
    given = list(events)
    documents = [event_to_dict(event) for event in given]
    # An error declaration repeats its event's time: it goes after the event it retracts.
    order = sorted(
        range(len(given)),
        key=lambda index: (given[index].event_time, given[index].error_declaration is not None),
    )
    known = _already_recorded(organization, given)
    recorded: dict[int, TraceEvent] = {}
    fresh, declarations = [], []
    for index in order:
        event = given[index]
        key = (event.event_id, event.error_declaration is not None)
        previous = known.get(key)
        if previous is not None:
            if previous.document != documents[index]:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    _("Event %(id)s is already recorded with different content.")
                    % {"id": event.event_id},
                    event_index=index,
                    event_id=event.event_id,
                )
            recorded[index] = previous
            continue
        row = _row(event, documents[index], organization, site, by, reason)
        known[key] = recorded[index] = row
        (declarations if event.error_declaration is not None else fresh).append(index)

    resolver = Resolver(organization=organization, site=site, create_missing=create_missing, by=by)
    resolver.prepare([(index, given[index]) for index in fresh])
    _place(organization, [recorded[index] for index in fresh + declarations])
    changes = derivation.Changes()
    # Older events now count for these: a lot's events for a unit that joined it, or for a
    # new unit of a lot recorded before. They are rebuilt from the log.
    created = {obj.pk for obj in resolver.created}
    changes.rebuild = resolver.joined | {
        obj.pk
        for obj in resolver.created
        if getattr(obj, "lot_id", None) is not None and obj.lot_id not in created
    }
    TraceEvent.objects.bulk_create([recorded[index] for index in fresh], batch_size=CHUNK)
    touched, moving = [], []
    for index in fresh:
        event_rows = _touched(given[index], resolver)
        changes.add(given[index], recorded[index], event_rows, resolver)
        touched += ((recorded[index].pk, *row) for row in event_rows)
        moving.append((given[index], recorded[index], event_rows))
    insert_rows(EventObject, ("event_id", *Touched._fields), touched)
    changes.flush()
    retracted = [
        (recorded[index], _declare(given[index], recorded[index], organization, changes))
        for index in declarations
    ]
    derivation.apply(changes, organization=organization)
    # Stock follows the events, after containment is current (a shipped case's contents).
    ledger.apply(organization, moving, retracted)
    if resolver.created:
        _audit_created(resolver.created, organization, site, by, reason)
    if audit_each:
        for index in fresh + declarations:
            audit.record(
                AuditAction.CREATE,
                recorded[index],
                by=by,
                changes={"event": [None, recorded[index].document]},
                reason=reason,
            )
    outbox.publish_trace_events(organization.pk, [recorded[i] for i in fresh + declarations])
    return [recorded[index] for index in range(len(given))]


def _already_recorded(organization, events: list[Event]) -> dict[tuple[str, bool], TraceEvent]:
    ids = sorted({event.event_id for event in events})
    found = {}
    for start in range(0, len(ids), CHUNK):
        # Unordered: the log's default order would steer the planner off the event-ID index.
        for row in TraceEvent.objects.filter(
            organization=organization, event_id__in=ids[start : start + CHUNK]
        ).order_by():
            row.is_new = False
            found[(row.event_id, row.declares_id is not None)] = row
    return found


def _row(event: Event, document, organization, site, by, reason) -> TraceEvent:
    declaration = event.error_declaration
    row = TraceEvent(
        organization=organization,
        site=site,
        event_id=event.event_id,
        event_type=event.event_type,
        action=event.action or "",
        event_time=event.event_time,
        event_time_zone_offset=event.event_time_zone_offset,
        biz_step=event.biz_step or "",
        disposition=event.disposition or "",
        read_point=event.read_point or "",
        biz_location=event.biz_location or "",
        reason=reason or (declaration.reason or "" if declaration else ""),
        document=document,
        recorded_by=by,
    )
    row.is_new = True
    return row


def _declare(event: Event, row: TraceEvent, organization, changes) -> TraceEvent:
    """Record an error declaration: the declared event stays in the log and leaves the
    derived state. Returns the declared event."""
    declared = next(
        iter(
            TraceEvent.objects.filter(
                organization=organization, event_id=event.event_id, declares__isnull=True
            ).order_by()[:1]
        ),
        None,
    )
    if declared is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("Event %(id)s is declared erroneous but was never recorded.")
            % {"id": event.event_id},
            event_id=event.event_id,
        )
    row.declares = declared
    row.save()
    changes.retract(declared)
    return declared


def _audit_created(created, organization, site, by, reason) -> None:
    counts = {}
    for obj in created:
        counts[obj.kind] = counts.get(obj.kind, 0) + 1
    audit.record(
        AuditAction.CREATE,
        by=by,
        object_type="trace.traceobject",
        object_id="",
        object_repr=", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())),
        organization_id=organization.pk,
        site_id=site.pk if site else None,
        changes={
            "created": [None, counts],
            "identifiers": [None, [obj.identifier for obj in created[:AUDITED_IDENTIFIERS]]],
        },
        reason=reason,
    )


class Touched(NamedTuple):
    """An EventObject row before its event has a key."""

    role: str
    object_id: int | None
    identifier: str
    quantity: Decimal | None
    uom: str
    class_level: bool


def _touched(event: Event, resolver: Resolver) -> list[Touched]:
    touched = []

    def add(role, identifier, quantity=None, uom=None, *, class_level=False):
        obj = resolver.object(identifier)
        touched.append(
            Touched(
                role,
                obj.pk if obj is not None else None,
                identifier,
                quantity,
                uom or "",
                class_level,
            )
        )

    transformation = event.event_type == "TransformationEvent"
    aggregation = event.event_type in ("AggregationEvent", "AssociationEvent")
    if event.parent_id:
        add(ObjectRole.PARENT, event.parent_id)
    member_role = ObjectRole.CHILD if aggregation else ObjectRole.OBJECT
    for identifier in event.epc_list:
        add(member_role, identifier)
    for quantity in event.quantity_list:
        add(member_role, quantity.epc_class, quantity.quantity, quantity.uom, class_level=True)
    if transformation:
        for identifier in event.input_epc_list:
            add(ObjectRole.INPUT, identifier)
        for quantity in event.input_quantity_list:
            add(
                ObjectRole.INPUT,
                quantity.epc_class,
                quantity.quantity,
                quantity.uom,
                class_level=True,
            )
        for identifier in event.output_epc_list:
            add(ObjectRole.OUTPUT, identifier)
        for quantity in event.output_quantity_list:
            add(
                ObjectRole.OUTPUT,
                quantity.epc_class,
                quantity.quantity,
                quantity.uom,
                class_level=True,
            )
    return touched


def _place(organization, rows: list[TraceEvent]) -> None:
    """Our own location on each event whose business location names one
    (urn:medtrace:location:<site>:<code>); other locations stay identifiers."""
    wanted = {row.biz_location for row in rows if row.biz_location.startswith(LOCATION_PREFIX)}
    places = {}
    for name in wanted:
        site_code, _sep, code = name[len(LOCATION_PREFIX) :].partition(":")
        places[name] = Location.objects.filter(
            organization=organization, site__code=site_code, code=code
        ).first()
    for row in rows:
        row.location = places.get(row.biz_location)
