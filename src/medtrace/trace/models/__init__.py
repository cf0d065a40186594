"""Traceability records: the objects traced (lots, serialized units, SSCC containers), the
immutable EPCIS-shaped event log, and the state derived from it in the same transaction
(genealogy, containment over time, consignments to and from parties, current status)."""

from medtrace.trace.models.derived import Consignment, Containment, GenealogyLink
from medtrace.trace.models.events import EventObject, TraceEvent
from medtrace.trace.models.objects import Container, Lot, Party, TraceObject, Unit

__all__ = [
    "Consignment",
    "Container",
    "Containment",
    "EventObject",
    "GenealogyLink",
    "Lot",
    "Party",
    "TraceEvent",
    "TraceObject",
    "Unit",
]
