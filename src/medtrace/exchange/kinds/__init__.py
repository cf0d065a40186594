"""The kinds of record a sheet can hold, by ImportKind."""

from medtrace.exchange.choices import ImportKind
from medtrace.exchange.kinds.base import Context, Done, Kind, Problem, Row, RowError
from medtrace.exchange.kinds.catalog import Boms, DeviceIdentifiers, Items
from medtrace.exchange.kinds.equipment import EquipmentKind
from medtrace.exchange.kinds.genealogy import Genealogy
from medtrace.exchange.kinds.partners import Customers, Suppliers
from medtrace.exchange.kinds.stock import OpeningBalances

KINDS: dict[str, Kind] = {
    kind.kind: kind
    for kind in (
        Items(),
        DeviceIdentifiers(),
        Suppliers(),
        Customers(),
        Boms(),
        EquipmentKind(),
        OpeningBalances(),
        Genealogy(),
    )
}


def get(kind: str) -> Kind:
    return KINDS[ImportKind(kind)]


def can_import(user, kind: str) -> bool:
    return all(user.has_perm(perm) for perm in get(kind).import_perms)


def can_export(user, kind: str) -> bool:
    return user.has_perm(get(kind).view_perm)


__all__ = [
    "KINDS",
    "Context",
    "Done",
    "Kind",
    "Problem",
    "Row",
    "RowError",
    "can_export",
    "can_import",
    "get",
]
