"""A synthetic device plant's year of EPCIS 2.0 events, written as documents of a few thousand
events each, for the trace benchmark (not the test corpus: sized by arguments, up to a million
units and a hundred thousand lots).

The plant: raw lots received from suppliers; components made from raw lots, sub-assemblies
from components and raw lots, finished lots from sub-assemblies, a component and a packaging
lot (three BOM levels); half the finished items serialized (units commissioned with their lot
in ILMD, ten to a case, eight cases to a pallet), half tracked by lot (a lot's quantity split
over cases); a few units repacked (unpacked and packed into another case, or packed into
another case without being unpacked); pallets, cases and lot cases shipped to hundreds of
hospitals. Every identifier is a GS1 key (GS1's documentation prefix 950 6001), so capture with
create_missing makes the items, lots, units, containers and parties. Deterministic by seed.

    python bench/plantgen.py --units 20000 --out /tmp/plant     # writes plant-0000.json, ...
"""

import argparse
import json
import random
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from medtrace.epcis import codec
from medtrace.epcis.model import Event, QuantityElement, TypedId
from medtrace.scan.checks import gs1_check_digit

PREFIX = "9506001"
START = datetime(2025, 1, 6, 0, 0, tzinfo=UTC)  # 08:00 in the plant (+08:00)
OFFSET = "+08:00"
DAYS = 365
UNITS_PER_CASE = 10
CASES_PER_PALLET = 8
LOT_CASES = 5
WINDOW = 8  # production draws from the latest lots of each component
# Share of all lots per level.
SHARES = {"raw": 0.40, "component": 0.20, "sub": 0.15, "serial": 0.125, "lot": 0.125}
ITEMS = {"raw": 24, "component": 16, "sub": 8, "serial": 6, "lot": 6}
FIRST_DAY = {"raw": 0, "component": 3, "sub": 6, "serial": 9, "lot": 9}


def _checked(body: str) -> str:
    return body + gs1_check_digit(body)


def gtin(reference: int) -> str:
    return _checked("0" + PREFIX + f"{reference:05d}")


def lot_uri(item_gtin: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{item_gtin}/10/{lot}"


def unit_uri(item_gtin: str, serial: str) -> str:
    return f"https://id.gs1.org/01/{item_gtin}/21/{serial}"


def sscc_uri(number: int) -> str:
    return "https://id.gs1.org/00/" + _checked("0" + PREFIX + f"{number:09d}")


def party_uri(number: int) -> str:
    return "https://id.gs1.org/417/" + _checked(PREFIX + f"{number:05d}")


@dataclass
class Sizes:
    units: int = 20_000
    lots: int = 0  # 0: a tenth of the units
    hospitals: int = 300
    suppliers: int = 40
    per_file: int = 2_000
    seed: int = 2026

    def __post_init__(self):
        self.lots = self.lots or max(50, self.units // 10)


@dataclass
class Plant:
    """What was written, for choosing trace roots."""

    files: list[Path] = field(default_factory=list)
    events: int = 0
    raw_lots: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    lots: int = 0
    containers: int = 0
    shipments: int = 0


class Generator:
    def __init__(self, sizes: Sizes):
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)
        reference = iter(range(1, 10_000))
        self.items = {
            level: [gtin(next(reference)) for _n in range(count)] for level, count in ITEMS.items()
        }
        raw, components, subs = self.items["raw"], self.items["component"], self.items["sub"]
        self.bom = {}
        for item in components:
            self.bom[item] = self.rng.sample(raw, 2)
        for item in subs:
            self.bom[item] = [*self.rng.sample(components, 2), self.rng.choice(raw)]
        for item in self.items["serial"] + self.items["lot"]:
            self.bom[item] = [*self.rng.sample(subs, 2), self.rng.choice(components)]
            self.bom[item].append(self.rng.choice(raw))  # packaging
        # Each item is made or bought as often as the BOMs call for it.
        self.demand = defaultdict(int)
        for components in self.bom.values():
            for component in components:
                self.demand[component] += 1
        suppliers = [party_uri(n) for n in range(1, sizes.suppliers + 1)]
        self.supplier_of = {item: self.rng.choice(suppliers) for item in raw}
        self.hospitals = [
            party_uri(n) for n in range(10_000, 10_000 + sizes.hospitals)
        ]  # GLN references above the suppliers'
        self.counts = {level: round(sizes.lots * share) for level, share in SHARES.items()}
        self.units_per_lot = max(1, round(sizes.units / max(1, self.counts["serial"])))
        self.recent: dict[str, list[str]] = defaultdict(list)  # item -> its latest lots
        self.unused: dict[str, deque[str]] = defaultdict(deque)  # item -> lots not yet drawn
        self.lot_numbers = 0
        self.serials = 0
        self.ssccs = 0
        self.to_ship: dict[int, list[tuple[str, bool]]] = defaultdict(list)
        self.backlog: dict[str, int] = defaultdict(int)
        self.day_events: list[Event] = []
        self.clock = START
        self.plant = Plant()

    # Writing.

    def write(self, out: Path) -> Plant:
        out.mkdir(parents=True, exist_ok=True)
        pending: list[Event] = []
        day = 0
        while day < DAYS or self.to_ship:
            self.clock = START + timedelta(days=day)
            self.day_events = []
            self._day(day)
            pending += self.day_events
            while len(pending) >= self.sizes.per_file:
                self._flush(out, pending[: self.sizes.per_file])
                pending = pending[self.sizes.per_file :]
            day += 1
        if pending:
            self._flush(out, pending)
        return self.plant

    def _flush(self, out: Path, events: list[Event]) -> None:
        path = out / f"plant-{len(self.plant.files):04d}.json"
        document = codec.to_document(events, sender=party_uri(1))
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        self.plant.files.append(path)
        self.plant.events += len(events)

    # A day at the plant.

    def _day(self, day: int) -> None:
        for level in SHARES:
            self.backlog[level] += self._due(level, day)
            if not self._can_make(level):
                continue  # nothing made yet to make it from: later
            for _lot in range(self.backlog[level]):
                if level == "raw":
                    self._receive()
                elif level in ("component", "sub"):
                    self._make(level)
                elif level == "serial":
                    self._make_serialized()
                else:
                    self._make_lot_tracked()
            self.backlog[level] = 0
        loads = self.to_ship.pop(day, [])
        while loads:
            count = 1 if loads[0][1] else min(len(loads), self.rng.randint(1, 2))
            if count == 2 and loads[1][1]:
                count = 1  # a pallet goes on its own
            self._ship([load for load, _is_pallet in loads[:count]])
            loads = loads[count:]

    def _can_make(self, level: str) -> bool:
        inputs = {"raw": (), "component": ("raw",), "sub": ("raw", "component")}
        return all(
            any(self.recent[item] for item in self.items[needed])
            for needed in inputs.get(level, ("raw", "component", "sub"))
        )

    def _due(self, level: str, day: int) -> int:
        """How many lots of `level` are made on `day`: the level's count spread evenly."""
        first = FIRST_DAY[level]
        if day < first or day >= DAYS:
            return 0
        span, total = DAYS - first, self.counts[level]
        return (day - first + 1) * total // span - (day - first) * total // span

    def _event(self, event_type: str, **what) -> None:
        self.clock += timedelta(seconds=3)
        self.day_events.append(
            Event(
                event_type=event_type,
                event_id=f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}",
                event_time=self.clock,
                event_time_zone_offset=OFFSET,
                **what,
            )
        )

    def _new_lot(self, item: str) -> str:
        self.lot_numbers += 1
        self.plant.lots += 1
        lot = lot_uri(item, f"L{self.lot_numbers:07d}")
        self.recent[item] = [*self.recent[item][-(WINDOW - 1) :], lot]
        self.unused[item].append(lot)
        return lot

    def _choose(self, level: str) -> str:
        items = self.items[level]
        if level in ("serial", "lot"):
            return self.rng.choice(items)
        return self.rng.choices(items, weights=[self.demand[item] for item in items])[0]

    def _inputs(self, item: str, quantity: int) -> tuple[QuantityElement, ...]:
        inputs = []
        for component in self.bom[item]:
            if not self.recent[component]:
                component = self._any_made_like(component)
            # First in, first out: a lot not yet drawn from, else one of the latest.
            unused = self.unused[component]
            lot = unused.popleft() if unused else self.rng.choice(self.recent[component])
            inputs.append(QuantityElement(lot, Decimal(quantity)))
        return tuple(inputs)

    def _any_made_like(self, component: str) -> str:
        for items in self.items.values():
            if component in items:
                return self.rng.choice([item for item in items if self.recent[item]])
        raise KeyError(component)

    def _receive(self) -> None:
        item = self._choose("raw")
        lot = self._new_lot(item)
        self.plant.raw_lots.append(lot)
        self._event(
            "ObjectEvent",
            action="ADD",
            biz_step="receiving",
            disposition="in_progress",
            quantity_list=(QuantityElement(lot, Decimal(self.rng.randint(50, 500)), "KGM"),),
            sources=(TypedId("owning_party", self.supplier_of[item]),),
        )

    def _make(self, level: str) -> str:
        item = self._choose(level)
        quantity = self.rng.randint(500, 5000)
        inputs = self._inputs(item, quantity)
        lot = self._new_lot(item)
        self._event(
            "TransformationEvent",
            biz_step="commissioning",
            disposition="active",
            input_quantity_list=inputs,
            output_quantity_list=(QuantityElement(lot, Decimal(quantity)),),
        )
        return lot

    def _make_serialized(self) -> None:
        item = self._choose("serial")
        count = self.units_per_lot
        inputs = self._inputs(item, count)
        lot = self._new_lot(item)
        lot_number = lot.rsplit("/", 1)[1]
        self._event(
            "TransformationEvent",
            biz_step="assembling",
            disposition="in_progress",
            input_quantity_list=inputs,
            output_quantity_list=(QuantityElement(lot, Decimal(count)),),
        )
        units = []
        for _unit in range(count):
            self.serials += 1
            units.append(unit_uri(item, f"S{self.serials:08d}"))
        self.plant.units += units
        self._event(
            "ObjectEvent",
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            epc_list=tuple(units),
            ilmd={"cbvmda:lotNumber": lot_number},
        )
        cases = []
        for start in range(0, count, UNITS_PER_CASE):
            cases.append(self._pack(units[start : start + UNITS_PER_CASE]))
        if len(cases) >= 2 and self.rng.random() < 0.03:
            self._repack(cases[0], cases[1], units[0])
        loads = []
        while len(cases) >= CASES_PER_PALLET:
            loads.append((self._pack(cases[:CASES_PER_PALLET], pallet=True), True))
            cases = cases[CASES_PER_PALLET:]
        loads += [(case, False) for case in cases]
        self._schedule(loads)

    def _make_lot_tracked(self) -> None:
        item = self._choose("lot")
        per_case = self.rng.randint(100, 1000)
        quantity = per_case * LOT_CASES
        inputs = self._inputs(item, quantity)
        lot = self._new_lot(item)
        self._event(
            "TransformationEvent",
            biz_step="assembling",
            disposition="active",
            input_quantity_list=inputs,
            output_quantity_list=(QuantityElement(lot, Decimal(quantity)),),
        )
        cases = [self._pack([], lot=(lot, per_case)) for _case in range(LOT_CASES)]
        self._schedule([(case, False) for case in cases])

    def _pack(self, children, *, pallet: bool = False, lot=None) -> str:
        self.ssccs += 1
        self.plant.containers += 1
        container = sscc_uri(self.ssccs)
        self._event(
            "AggregationEvent",
            action="ADD",
            biz_step="packing",
            disposition="in_progress",
            parent_id=container,
            epc_list=tuple(children),
            quantity_list=(QuantityElement(lot[0], Decimal(lot[1])),) if lot else (),
        )
        return container

    def _repack(self, source: str, target: str, unit: str) -> None:
        """A unit moves to the lot's next case: unpacked first, or (half the time) packed
        straight into the other case, as a hurried packer would scan it."""
        if self.rng.random() < 0.5:
            self._event(
                "AggregationEvent",
                action="DELETE",
                biz_step="unpacking",
                parent_id=source,
                epc_list=(unit,),
            )
        self._event(
            "AggregationEvent",
            action="ADD",
            biz_step="repackaging",
            parent_id=target,
            epc_list=(unit,),
        )

    def _schedule(self, loads) -> None:
        """Loads go out within two weeks; a pallet or one or two cases per shipment."""
        today = (self.clock - START).days
        for load in loads:
            self.to_ship[today + self.rng.randint(2, 14)].append(load)

    def _ship(self, loads: list[str]) -> None:
        self.plant.shipments += 1
        self._event(
            "ObjectEvent",
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            epc_list=tuple(loads),
            destinations=(TypedId("owning_party", self.rng.choice(self.hospitals)),),
        )


def generate(sizes: Sizes, out: Path) -> Plant:
    return Generator(sizes).write(out)


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=Sizes.units)
    parser.add_argument("--lots", type=int, default=0)
    parser.add_argument("--hospitals", type=int, default=Sizes.hospitals)
    parser.add_argument("--per-file", type=int, default=Sizes.per_file)
    parser.add_argument("--seed", type=int, default=Sizes.seed)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sizes = Sizes(
        units=args.units,
        lots=args.lots,
        hospitals=args.hospitals,
        per_file=args.per_file,
        seed=args.seed,
    )
    plant = generate(sizes, args.out)
    print(
        f"{plant.events} events in {len(plant.files)} files: {plant.lots} lots, "
        f"{len(plant.units)} units, {plant.containers} containers, {plant.shipments} shipments"
    )


if __name__ == "__main__":
    main()
