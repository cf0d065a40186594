"""Items and UDI device identifiers: the writes, each in one transaction with its audit entry.

A device identifier is a regulatory record: every change writes a new DeviceIdentifierVersion
and needs a reason, and a change that by the UDI rules makes a different device (NEW_DI_FIELDS)
is refused, because it needs a new device identifier instead.
"""

from medtrace.catalog.services.boms import (
    LineIn,
    create_bom_draft,
    obsolete_bom,
    set_bom_lines,
)
from medtrace.catalog.services.device_identifiers import (
    DI_ATTRIBUTES,
    NEW_DI_FIELDS,
    create_device_identifier,
    reactivate_device_identifier,
    retire_device_identifier,
    update_device_identifier,
)
from medtrace.catalog.services.items import ITEM_FIELDS, create_item, set_item_active, update_item
from medtrace.catalog.services.routings import (
    OperationIn,
    ParameterIn,
    create_routing_draft,
    obsolete_routing,
    set_routing_operations,
)

__all__ = [
    "DI_ATTRIBUTES",
    "ITEM_FIELDS",
    "NEW_DI_FIELDS",
    "LineIn",
    "OperationIn",
    "ParameterIn",
    "create_bom_draft",
    "create_device_identifier",
    "create_item",
    "create_routing_draft",
    "obsolete_bom",
    "obsolete_routing",
    "reactivate_device_identifier",
    "retire_device_identifier",
    "set_bom_lines",
    "set_item_active",
    "set_routing_operations",
    "update_device_identifier",
    "update_item",
]
