"""EPCIS 2.0 documents in and out: capture (REST, `medtrace epcis import`) validates a whole
document against GS1's schema and records its events all or nothing; export writes the log
back as a document that validates and re-imports to the same state."""

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError
from medtrace.epcis import codec
from medtrace.inventory import statuses
from medtrace.org.models import Organization, Site
from medtrace.trace.models import TraceEvent
from medtrace.trace.services.recording import record_events

CAPTURE_OBJECT_TYPE = "trace.capture"
CHUNK = 2000


@dataclass
class CaptureResult:
    capture_id: str
    events: list[TraceEvent]
    new: int
    elapsed_s: float

    @property
    def already_recorded(self) -> int:
        return len(self.events) - self.new

    def as_dict(self) -> dict:
        return {
            "capture_id": self.capture_id,
            "events": len(self.events),
            "new": self.new,
            "already_recorded": self.already_recorded,
            "results": [
                {"event_id": event.event_id, "recorded": event.is_new} for event in self.events
            ],
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
        }


@transaction.atomic
def capture(
    data: bytes | str | dict,
    *,
    organization: Organization,
    site: Site | None = None,
    by=None,
    create_missing: bool = False,
    source: str = "",
    reason: str = "",
    on_progress: Callable[[int, int], None] | None = None,
) -> CaptureResult:
    """Validate and record one EPCIS document. One invalid event refuses the whole document
    (DomainError naming the event index, ID and field); recording it again changes nothing.
    Audited as one entry for the capture; the events name who recorded them."""
    started = time.perf_counter()
    document = codec.parse_document(data)
    # Goods picked or shipped out of our stock must be available, whoever records it.
    statuses.require_for_events(organization, document.events)
    # Recorded in event-time order, in chunks so a large document reports progress; one
    # transaction all the same.
    order = sorted(
        range(len(document.events)),
        key=lambda i: (
            document.events[i].event_time,
            document.events[i].error_declaration is not None,
        ),
    )
    recorded: dict[int, TraceEvent] = {}
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        try:
            done = record_events(
                [document.events[i] for i in chunk],
                organization=organization,
                site=site,
                by=by,
                create_missing=create_missing,
                reason=reason,
            )
        except DomainError as error:
            error.details["event_index"] = chunk[error.details.get("event_index", 0)]
            raise
        recorded.update(zip(chunk, done, strict=True))
        if on_progress is not None:
            on_progress(len(recorded), len(order))
    recorded = [recorded[i] for i in range(len(order))]
    result = CaptureResult(
        capture_id=uuid.uuid4().hex,
        events=recorded,
        new=sum(1 for event in recorded if event.is_new),
        elapsed_s=time.perf_counter() - started,
    )
    audit.record(
        AuditAction.CREATE,
        by=by,
        object_type=CAPTURE_OBJECT_TYPE,
        object_id=result.capture_id,
        object_repr=source or "EPCIS capture",
        organization_id=organization.pk,
        site_id=site.pk if site else None,
        changes={
            "source": [None, source],
            "events": [None, len(recorded)],
            "new": [None, result.new],
            "create_missing": [None, create_missing],
        },
        reason=reason,
    )
    return result


def events_for_export(
    organization: Organization, *, since: datetime | None = None, site: Site | None = None
):
    events = TraceEvent.objects.filter(organization=organization).order_by("record_time", "pk")
    if since is not None:
        events = events.filter(record_time__gte=since)
    if site is not None:
        events = events.filter(site=site)
    return events


def export_document(events: Iterable[TraceEvent], *, sender: str | None = None) -> dict:
    """The events as captured, error declarations included (each after the event it
    declares), as one EPCISDocument."""
    return codec.to_document(
        (codec.event_from_dict(event.document) for event in events), sender=sender
    )
