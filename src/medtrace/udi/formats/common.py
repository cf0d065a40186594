"""What the three formats share: a device record, its elements, and the fingerprint of them."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from medtrace.catalog.models import DeviceIdentifier
from medtrace.udi.models import Registrant


@dataclass(frozen=True)
class Element:
    """One data element as a database names it, with the value medtrace holds for it."""

    name: str
    value: object
    required: bool = False

    @property
    def missing(self) -> bool:
        return self.required and (self.value is None or self.value == "")


@dataclass
class DeviceRecord:
    """A device as the databases hold it: the base-unit DI and its packages, inner to outer,
    with the item it identifies and the registrant."""

    device: DeviceIdentifier
    packages: list[DeviceIdentifier] = field(default_factory=list)
    registrant: Registrant | None = None

    @property
    def label(self) -> str:
        return f"{self.device.item.code} ({self.device.value})"

    def registrant_value(self, name: str) -> str | None:
        return getattr(self.registrant, name, None) or None


@dataclass(frozen=True)
class Written:
    file_name: str
    content_type: str
    content: bytes


# Characters XML 1.0 and an .xlsx cell cannot hold (C0 controls but tab, newline, return).
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def writable(value) -> str:
    """The value as text a file can carry: booleans as true/false, unwritable characters
    dropped (a stray control character pasted into a description must not break the file)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML parsers read a carriage return as a newline, so write it as one.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return UNWRITABLE.sub("", text)


def blank_to_none(value):
    return value if value not in ("", None) else None


def missing_messages(database_name: str, elements: list[Element]) -> list[str]:
    return [
        _("%(database)s needs “%(element)s”.") % {"database": database_name, "element": e.name}
        for e in elements
        if e.missing
    ]


def fingerprint(elements: list[Element], packages: list[list[Element]]) -> str:
    """SHA-256 of the values a file carries for one device: equal fingerprints, same record."""
    data = [
        [[e.name, e.value] for e in elements],
        [[[e.name, e.value] for e in package] for package in packages],
    ]
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S")


def production_identifiers(device: DeviceIdentifier) -> bool:
    return any(
        (
            device.label_has_lot,
            device.label_has_serial,
            device.label_has_expiry,
            device.label_has_manufacturing_date,
        )
    )
