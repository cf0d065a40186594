"""The catalog's records: items (what the plant buys, makes and ships) and the UDI device
identifiers of the devices among them, with the immutable versions of each identifier; the
versioned BOMs and routings that make each product; lot-number rules."""

from medtrace.catalog.models.boms import Bom, BomLine
from medtrace.catalog.models.device_identifiers import DeviceIdentifier, DeviceIdentifierVersion
from medtrace.catalog.models.items import Item
from medtrace.catalog.models.lot_rules import LotNumberCounter, LotNumberRule, LotSequenceReset
from medtrace.catalog.models.routings import ProcessParameterSpec, Routing, RoutingOperation
from medtrace.catalog.models.versions import ProductVersion, VersionStatus

__all__ = [
    "Bom",
    "BomLine",
    "DeviceIdentifier",
    "DeviceIdentifierVersion",
    "Item",
    "LotNumberCounter",
    "LotNumberRule",
    "LotSequenceReset",
    "ProcessParameterSpec",
    "ProductVersion",
    "Routing",
    "RoutingOperation",
    "VersionStatus",
]
