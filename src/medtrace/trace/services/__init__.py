"""Traceability writes: the objects traced and the one recording service every flow calls
(receiving, production, packing, shipping, returns, holds, EPCIS capture and import)."""

from medtrace.trace.services.objects import (
    create_container,
    create_lot,
    create_unit,
    ensure_party,
)
from medtrace.trace.services.recording import record_event, record_events

__all__ = [
    "create_container",
    "create_lot",
    "create_unit",
    "ensure_party",
    "record_event",
    "record_events",
]
