"""The catalog's records: items (what the plant buys, makes and ships) and the UDI device
identifiers of the devices among them, with the immutable versions of each identifier."""

from medtrace.catalog.models.boms import Bom, BomLine, BomStatus
from medtrace.catalog.models.device_identifiers import DeviceIdentifier, DeviceIdentifierVersion
from medtrace.catalog.models.items import Item
from medtrace.catalog.models.lot_rules import LotNumberCounter, LotNumberRule, LotSequenceReset

__all__ = [
    "Bom",
    "BomLine",
    "BomStatus",
    "DeviceIdentifier",
    "DeviceIdentifierVersion",
    "Item",
    "LotNumberCounter",
    "LotNumberRule",
    "LotSequenceReset",
]
