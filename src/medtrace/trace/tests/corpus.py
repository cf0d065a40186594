"""A synthetic plant's event history for the trace tests, and an oracle: an independent,
in-memory reading of the same facts by the semantics of trace.engine, to check the engine's
SQL against.

The plant: raw lots received from suppliers, sub-assembly lots made from them, finished lots
from those, serialized units commissioned into finished lots (and some made directly from a
raw lot), cases and pallets packed, units repacked without unpacking, a case emptied and
shipped empty, shipments of pallets, cases and lot quantities to hospitals, error
declarations retracting a transformation and a shipment. Recorded in shuffled batches, so
events arrive late."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from medtrace.scan.checks import gs1_check_digit

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _gtin(body: str) -> str:
    return body + gs1_check_digit(body)


RAW_GTIN = _gtin("0950600020001")
SUB_GTIN = _gtin("0950600020002")
FIN_GTIN = _gtin("0950600020003")


def lot_id(gtin: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{gtin}/10/{lot}"


def unit_id(serial: str) -> str:
    return f"https://id.gs1.org/01/{FIN_GTIN}/21/{serial}"


def sscc_id(number: int) -> str:
    body = "0950600" + f"{number:010d}"
    return f"https://id.gs1.org/00/{body}{gs1_check_digit(body)}"


def party_id(number: int) -> str:
    body = "950600" + f"{number:06d}"
    return f"https://id.gs1.org/417/{body}{gs1_check_digit(body)}"


@dataclass
class Fact:
    """One event, abstractly: kind is receive, make, commission, pack, unpack, ship."""

    event_id: str
    kind: str
    time: datetime
    objects: list[str] = field(default_factory=list)  # received / commissioned / shipped
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    parent: str | None = None
    lot_number: str | None = None  # ILMD of a commissioning
    party: str | None = None
    retracted: bool = False


@dataclass
class Plant:
    facts: list[Fact]
    unit_lot: dict[str, str]  # unit identifier -> its lot identifier
    lots: list[str]
    units: list[str]
    containers: list[str]


def build(seed: int = 7, *, finished_lots: int = 3, units_per_lot: int = 6) -> Plant:
    rng = random.Random(seed)
    clock = iter(START + timedelta(minutes=17 * step) for step in range(100_000))
    facts: list[Fact] = []

    def fact(kind, **fields) -> Fact:
        made = Fact(
            event_id=f"urn:uuid:corpus-{len(facts):05d}", kind=kind, time=next(clock), **fields
        )
        facts.append(made)
        return made

    raws = [lot_id(RAW_GTIN, f"R{n}") for n in range(6)]
    for n, raw in enumerate(raws):
        fact("receive", objects=[raw], party=party_id(1 + n % 3))
    subs = [lot_id(SUB_GTIN, f"B{n}") for n in range(4)]
    for sub in subs:
        fact("make", inputs=rng.sample(raws, 2), outputs=[sub])
    wrong = fact("make", inputs=[raws[5]], outputs=[subs[0]])  # retracted below
    fins = [lot_id(FIN_GTIN, f"F{n}") for n in range(finished_lots)]
    for fin in fins:
        fact("make", inputs=[*rng.sample(subs, 2), rng.choice(raws)], outputs=[fin])
    unit_lot, units = {}, []
    for n, fin in enumerate(fins):
        batch = [unit_id(f"S{n}{k:03d}") for k in range(units_per_lot)]
        fact("commission", objects=batch, lot_number=f"F{n}")
        for unit in batch:
            unit_lot[unit] = fin
        units += batch
    direct = [unit_id(f"D{k:03d}") for k in range(2)]  # made straight from a raw lot
    fact("make", inputs=[raws[4]], outputs=direct, lot_number="F0")
    for unit in direct:
        unit_lot[unit] = fins[0]
    units += direct

    cases = [sscc_id(n) for n in range(1, 6)]
    pallets = [sscc_id(n) for n in range(50, 52)]
    shuffled = rng.sample(units, len(units))
    for n, case in enumerate(cases[:4]):
        fact("pack", parent=case, objects=shuffled[n * 3 : n * 3 + 3])
    moved = shuffled[0]
    fact("pack", parent=cases[1], objects=[moved])  # repacked without unpacking from case 0
    fact("pack", parent=pallets[0], objects=cases[:2])
    fact("pack", parent=pallets[1], objects=[cases[2]])
    fact("pack", parent=cases[4], objects=shuffled[12:14])
    fact("unpack", parent=cases[4], objects=[])  # emptied
    hospitals = [party_id(100 + n) for n in range(6)]
    fact("ship", objects=[pallets[0]], party=hospitals[0])
    fact("ship", objects=[cases[3]], party=hospitals[1])
    fact("ship", objects=[cases[4]], party=hospitals[2])  # shipped empty
    fact("ship", objects=[fins[-1]], party=hospitals[3])  # a lot quantity
    bad_shipment = fact("ship", objects=[pallets[1]], party=hospitals[4])
    fact("unpack", parent=pallets[1], objects=[cases[2]])
    fact("ship", objects=[cases[2]], party=hospitals[5])
    for retracted in (wrong, bad_shipment):
        retracted.retracted = True
    return Plant(
        facts=facts,
        unit_lot=unit_lot,
        lots=raws + subs + fins,
        units=units,
        containers=cases + pallets,
    )


class Oracle:
    """The trace semantics read straight off the facts, in Python."""

    def __init__(self, plant: Plant):
        live = [f for f in plant.facts if not f.retracted]
        self.unit_lot = plant.unit_lot
        self.forward_edges, self.backward_edges = defaultdict(set), defaultdict(set)
        for f in live:
            if f.kind == "make":
                for source in f.inputs:
                    for target in f.outputs:
                        self._edge(source, target)
        for unit, lot in plant.unit_lot.items():
            self._edge(lot, unit)
        self.intervals = defaultdict(list)  # content -> [(container, from, to)]
        inside: dict[str, dict[str, datetime]] = defaultdict(dict)
        current: dict[str, tuple[str, datetime]] = {}
        for f in sorted(live, key=lambda f: f.time):
            if f.kind == "pack":
                for child in f.objects:
                    if child in current and current[child][0] != f.parent:
                        old, since = current.pop(child)
                        inside[old].pop(child, None)
                        self.intervals[child].append((old, since, f.time))
                    if child not in inside[f.parent]:
                        inside[f.parent][child] = f.time
                        current[child] = (f.parent, f.time)
            elif f.kind == "unpack":
                for child in f.objects or list(inside[f.parent]):
                    since = inside[f.parent].pop(child, None)
                    if since is not None:
                        current.pop(child, None)
                        self.intervals[child].append((f.parent, since, f.time))
        for child, (container, since) in current.items():
            self.intervals[child].append((container, since, None))
        self.shipments = [(f.objects[0], f.time, f.party) for f in live if f.kind == "ship"]
        self.receipts = [(f.objects[0], f.party) for f in live if f.kind == "receive"]

    def _edge(self, source, target):
        self.forward_edges[source].add(target)
        self.backward_edges[target].add(source)

    def _walk(self, start: set[str], edges) -> set[str]:
        seen, todo = set(start), list(start)
        while todo:
            for following in edges[todo.pop()]:
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return seen

    @staticmethod
    def _overlap(since, until, other_since, other_until):
        """The common part of two intervals (None: open), or None when they do not meet."""
        start = max(since, other_since)
        ends = [end for end in (until, other_until) if end is not None]
        end = min(ends) if ends else None
        return (start, end) if end is None or start < end else None

    def _ever_held(self, container: str, since=None, until=None) -> set[str]:
        """What was inside `container` (nested too) while it existed within [since, until)."""
        found = set()
        for content, held in self.intervals.items():
            for outer, content_since, content_until in held:
                if outer != container:
                    continue
                common = (
                    (content_since, content_until)
                    if since is None
                    else self._overlap(since, until, content_since, content_until)
                )
                if common:
                    found |= {content} | self._ever_held(content, *common)
        return found

    def _containers_at(self, obj: str, when: datetime) -> set[str]:
        found = set()
        for container, since, until in self.intervals[obj]:
            if since <= when and (until is None or when < until):
                found |= {container} | self._containers_at(container, when)
        return found

    def _containers_ever(self, obj: str, since=None, until=None) -> set[str]:
        found = set()
        for container, held_since, held_until in self.intervals[obj]:
            common = (
                (held_since, held_until)
                if since is None
                else self._overlap(since, until, held_since, held_until)
            )
            if common:
                found |= {container} | self._containers_ever(container, *common)
        return found

    def forward(self, root: str) -> dict:
        reach = self._walk({root} | self._ever_held(root), self.forward_edges)
        units = {o for o in reach if o in self.unit_lot} - {root}
        lots = ({o for o in reach if "/10/" in o} | {self.unit_lot[u] for u in units}) - {root}
        destinations = set()
        for shipped, when, party in self.shipments:
            if shipped in reach or any(shipped in self._containers_at(o, when) for o in reach):
                destinations.add(party)
        containers = set().union(*(self._containers_ever(o) for o in reach)) - {root}
        return {"lots": lots, "units": units, "parties": destinations, "containers": containers}

    def backward(self, root: str) -> dict:
        reach = self._walk({root} | self._ever_held(root), self.backward_edges)
        lots = {o for o in reach if "/10/" in o} - {root}
        sources = {party for received, party in self.receipts if received in reach}
        return {
            "lots": lots,
            "units": {o for o in reach if o in self.unit_lot} - {root},
            "parties": sources,
        }
