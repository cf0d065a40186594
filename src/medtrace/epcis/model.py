"""EPCIS 2.0 events as immutable values, in the canonical form the codec produces: bare CBV
names ("shipping", "in_progress", "owning_party", "po"), GS1 keys as short canonical
https://id.gs1.org Digital Links, other URIs as given. Two events that mean the same are
equal, and hash alike (the free-form members are left out of the hash, not out of equality).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransformationEvent",
    "AssociationEvent",
    "TransactionEvent",
)


@dataclass(frozen=True, slots=True)
class TypedId:
    """A source, destination (type owning_party, possessing_party, location, or a URI) or
    business transaction (type po, desadv, …, a URI, or "" when the document gives none)."""

    type: str
    value: str


@dataclass(frozen=True, slots=True)
class QuantityElement:
    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorDeclaration:
    declaration_time: datetime
    reason: str | None = None
    corrective_event_ids: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "corrective_event_ids", tuple(self.corrective_event_ids))


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    event_type: str
    event_id: str
    event_time: datetime
    event_time_zone_offset: str
    record_time: datetime | None = None
    action: str | None = None  # None for a TransformationEvent
    biz_step: str | None = None
    disposition: str | None = None
    read_point: str | None = None
    biz_location: str | None = None
    parent_id: str | None = None
    # epcList of an Object/TransactionEvent, childEPCs of an Aggregation/AssociationEvent;
    # likewise quantityList / childQuantityList.
    epc_list: tuple[str, ...] = ()
    quantity_list: tuple[QuantityElement, ...] = ()
    input_epc_list: tuple[str, ...] = ()
    input_quantity_list: tuple[QuantityElement, ...] = ()
    output_epc_list: tuple[str, ...] = ()
    output_quantity_list: tuple[QuantityElement, ...] = ()
    transformation_id: str | None = None
    biz_transactions: tuple[TypedId, ...] = ()
    sources: tuple[TypedId, ...] = ()
    destinations: tuple[TypedId, ...] = ()
    # Free-form JSON, kept as given; compared, not hashed.
    ilmd: dict[str, Any] = field(default_factory=dict, hash=False)
    sensor_element_list: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    persistent_disposition: dict[str, list[str]] | None = field(  # {"set": [...], "unset": [...]}
        default=None, hash=False
    )
    certification_info: str | None = None
    error_declaration: ErrorDeclaration | None = None
    # Every top-level member the standard does not define, keyed as written ("example:myField").
    extensions: dict[str, Any] = field(default_factory=dict, hash=False)
    # Namespace prefix -> URI for the prefixes the event's extension, ILMD and sensor member
    # names use (beyond the standard context's), so they can be written out again.
    context: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self):
        for name in (
            "epc_list",
            "quantity_list",
            "input_epc_list",
            "input_quantity_list",
            "output_epc_list",
            "output_quantity_list",
            "biz_transactions",
            "sources",
            "destinations",
            "sensor_element_list",
        ):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if self.persistent_disposition is not None:  # both keys, as the codec reads it
            changes = self.persistent_disposition
            object.__setattr__(
                self,
                "persistent_disposition",
                {"set": list(changes.get("set", ())), "unset": list(changes.get("unset", ()))},
            )


@dataclass(frozen=True, slots=True)
class Document:
    """What an EPCISDocument, an EPCISQueryDocument or a bare event carried."""

    events: tuple[Event, ...]
    creation_date: datetime | None = None
    sender: str | None = None
    receiver: str | None = None
    # The prefixes the document's @context declares beyond the standard context.
    context: dict[str, str] = field(default_factory=dict, hash=False)
