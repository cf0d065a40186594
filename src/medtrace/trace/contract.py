"""The trace contract: the one JSON shape of a trace result that `medtrace trace --json` and
GET /api/v1/trace/{forward,backward} answer, and that tests and tools read."""

from medtrace.trace.engine import TraceResult
from medtrace.trace.models import Container, Lot, Party, TraceObject, Unit


def lot_dict(lot: Lot) -> dict:
    return {
        "id": lot.identifier,
        "gtin": lot.gtin or None,
        "lot": lot.lot_number,
        "item": lot.item.code,
        "status": lot.disposition or None,
        "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
    }


def unit_dict(unit: Unit) -> dict:
    return {
        "id": unit.identifier,
        "gtin": unit.gtin or None,
        "serial": unit.serial,
        "lot": unit.lot.lot_number if unit.lot_id else None,
        "item": unit.item.code,
        "status": unit.disposition or None,
    }


def container_dict(container: Container) -> dict:
    return {
        "id": container.identifier,
        "sscc": container.sscc or None,
        "status": container.disposition or None,
    }


def object_dict(obj: TraceObject) -> dict:
    """Any traced object, by its kind (a bare TraceObject is read as its lot, unit or
    container)."""
    if isinstance(obj, Lot):
        return {"kind": "lot", **lot_dict(obj)}
    if isinstance(obj, Unit):
        return {"kind": "unit", **unit_dict(obj)}
    if isinstance(obj, Container):
        return {"kind": "container", **container_dict(obj)}
    return object_dict(concrete(obj))


def concrete(obj: TraceObject) -> Lot | Unit | Container:
    return {"lot": Lot, "unit": Unit, "container": Container}[obj.kind].objects.get(pk=obj.pk)


def party_id(party: Party) -> str:
    return party.identifier


def as_dict(result: TraceResult) -> dict:
    return {
        "direction": result.direction,
        "root": object_dict(result.root),
        "lots": [lot_dict(lot) for lot in result.lots],
        "units": [unit_dict(unit) for unit in result.units],
        "containers": [container_dict(container) for container in result.containers],
        "destinations": [party_id(party) for party in result.destinations],
        "sources": [party_id(party) for party in result.sources],
        "shipments": [
            {
                "event_id": event.event_id,
                "time": event.event_time.isoformat(),
                "biz_step": event.biz_step or None,
                "parties": [party_id(party) for party in event.parties],
            }
            for event in result.shipments
        ],
        "by_status": {
            "lots": by_status(result.lots),
            "units": by_status(result.units),
            "containers": by_status(result.containers),
        },
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


def by_status(objects) -> dict[str, int]:
    """How many are where: in progress, active (in stock), in transit, returned, … by the
    CBV disposition of their latest event ("unknown" before any)."""
    counts: dict[str, int] = {}
    for obj in objects:
        status = obj.disposition or "unknown"
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))
