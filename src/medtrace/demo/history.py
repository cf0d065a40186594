"""A year of the Suzhou plant's history in the trace log, so every demo lot has a real trace.

Month by month: raw materials and packaging received from the approved suppliers and released
by incoming inspection; drip chambers, clamps and hubs molded in house; PVC tubing extruded
(bought in from the PVC supplier for the last two months, since the extruder is out of service);
infusion lines, infusion sets and serialized catheter kits assembled to the approved BOMs,
packed into SSCC cases, released by QA after the EO cycle, some cases stacked on pallets, and
shipped to the hospitals and distributors. One infusion-set lot is on hold after a positive
biological indicator, and one catheter kit came back from Ruijin Hospital. Receipts at the
customers are theirs, not ours, so they are not here.

Quantities follow the BOMs, material is consumed first in first out, lot numbers come from the
organization's lot-number rule (a default one is added if the plant has none), and every event
goes through the one recording service as the user who did the work. Deterministic: every
choice and every event ID is drawn from the plant's seeded generator; times are relative to
the day the demo is built, ending a few days before it.
"""

import uuid
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from medtrace.catalog.choices import IssuingAgency, PackagingLevel
from medtrace.catalog.models import Item, LotNumberRule, LotSequenceReset
from medtrace.catalog.selectors import effective_bom
from medtrace.catalog.services import lot_numbers
from medtrace.demo import events
from medtrace.demo.catalog import GS1_COMPANY_PREFIX
from medtrace.demo.events import ZONE, MonthLog, workday
from medtrace.demo.plant import DemoPlant
from medtrace.epcis.model import TypedId
from medtrace.partners.models import Customer, Supplier
from medtrace.scan.checks import gs1_check_digit
from medtrace.trace import services as trace
from medtrace.trace.choices import ContainerKind, LotOrigin
from medtrace.trace.models import Lot

SITE = "SZ01"
MONTHS = 12
MONTH_DAYS = 30
DEFAULT_LOT_PATTERN = "{SITE}-{YY}{JJJ}-{SEQ:3}"  # SZ01-25174-001

# What the plant buys: (supplier, usual order quantity, pack size); orders are whole packs.
PURCHASED = {
    "RM-PVC": ("SUP-ZJPVC", 500, 25),  # 25 kg bags
    "RM-TOTM": ("SUP-ZJPVC", 200, 200),  # 200 kg drums
    "CP-NDL07": ("SUP-JSNDL", 8000, 1000),
    "PK-TYVEK": ("SUP-SHTYV", 8000, 1000),
    "CP-TUBE": ("SUP-ZJPVC", 6000, 500),  # 500 m reels, only while the extruder is down
}
SUPPLIER_LOT_FORMATS = {
    "SUP-ZJPVC": "KS{made:%y%m%d}-{n:02d}",
    "SUP-JSNDL": "JZ{made:%y%m}A{n:03d}",
    "SUP-SHTYV": "JB-{made:%y}-{n:04d}",
}
MOLDED = ("CP-DRIP", "CP-CLAMP", "CP-HUB")
# The equipment that does each step (demo.equipment): its read point is on the step's events.
MOLDER = "IMM-01"
MADE_ON = {"CP-TUBE": "EXT-01", "SA-LINE": "LT-01", "IS-2001": "LT-01"}  # lines leak-tested
TUBE_BOUGHT_FROM_MONTH = 10  # EXT-01 has a worn screw (see demo.equipment)
TUBE_SCRAP = Decimal("1.03")  # extrusion start-up and cut-off loss
STORE_BINS = ("WH-A01", "WH-A02")
# Who buys what, and how often (weights of a draw); the clinic takes no catheter kits.
CUSTOMER_WEIGHTS = {
    "H-SUDA1": 4,
    "H-RUIJIN": 4,
    "H-ZJU1": 3,
    "C-SIP": 1,
    "D-JSMED": 2,
    "D-GDMED": 2,
    "D-ZJOLD": 1,
}
NO_CATHETERS = {"C-SIP"}
HOLD_MONTH = 9
HOLD_REASON = (
    "EO 灭菌批生物指示剂培养阳性, 产品隔离待调查 / positive biological indicator after the EO "
    "cycle: lot held pending the investigation"
)
RETURN_MONTH = 7
RETURN_CUSTOMER = "H-RUIJIN"
RETURN_REASON = (
    "瑞金医院退回: 导管包外包装破损, 退回调查 / returned by Ruijin Hospital: outer pouch "
    "damaged, for investigation"
)
# The month's work in the order it was recorded: (phase, who recorded it, reason).
PHASES = [
    ("receiving", "warehouse", ""),
    ("inspection", "inspector", ""),
    ("issue", "warehouse", ""),
    ("components", "supervisor", ""),
    ("issue_assembly", "warehouse", ""),
    ("production", "supervisor", ""),
    ("packing", "operator", ""),
    ("release", "qa", ""),
    ("hold", "qa", HOLD_REASON),
    ("shipping", "warehouse", ""),
    ("return", "warehouse", RETURN_REASON),
]


@dataclass
class OnHand:
    lot: Lot
    left: Decimal
    where: str  # the location (code) holding what is left


def build_history(demo: DemoPlant) -> None:
    History(demo).build()


def _ceil(value: Decimal, step: int) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def sscc(extension: str, serial_reference: int) -> str:
    body = extension + GS1_COMPANY_PREFIX + f"{serial_reference:09d}"
    return body + gs1_check_digit(body)


class History:
    def __init__(self, demo: DemoPlant):
        self.demo = demo
        self.rng = demo.rng
        self.organization = demo.organization
        self.site = demo.sites[SITE]
        self.items = demo.items
        self.today = timezone.localdate(timezone=ZONE)
        self.first_day = self.today - timedelta(days=MONTH_DAYS * MONTHS + 5)
        self.suppliers = {
            s.code: s for s in Supplier.objects.filter(organization=self.organization)
        }
        self.customers = {
            c.code: c for c in Customer.objects.filter(organization=self.organization)
        }
        self.supplier_parties = {
            code: trace.ensure_party(organization=self.organization, supplier=supplier)
            for code, supplier in self.suppliers.items()
        }
        self.customer_parties = {
            code: trace.ensure_party(organization=self.organization, customer=customer)
            for code, customer in self.customers.items()
        }
        self.boms = {
            item.code: [
                (line.component.code, line.quantity)
                for line in bom.lines.select_related("component").order_by("position")
                if line.trace_required
            ]
            for item in self.items.values()
            if (bom := effective_bom(item)) is not None
        }
        self.gtins = {
            code: di.value
            for code in ("IS-2001", "CVC-3001")
            for di in self.items[code].device_identifiers.filter(
                issuing_agency=IssuingAgency.GS1, packaging_level=PackagingLevel.BASE_UNIT
            )
        }
        self.per_case = {code: self._units_per_case(self.items[code]) for code in self.gtins}
        self.stock: dict[str, deque[OnHand]] = {code: deque() for code in self.items}
        self.next_sscc = 100_000 + self.rng.randrange(1000) * 100
        self.next_serial = 1
        self.issues = 0
        self.log = MonthLog(demo, self.site, PHASES)

    @staticmethod
    def _units_per_case(item: Item) -> int:
        per_case = 1
        for di in item.device_identifiers.exclude(packaging_level=PackagingLevel.BASE_UNIT):
            if di.packaging_level in (PackagingLevel.INNER_PACK, PackagingLevel.CASE):
                per_case *= di.quantity_per_package
        return per_case

    # The year.

    def build(self) -> None:
        self._ensure_lot_rule()
        for month in range(MONTHS):
            self.log.start()
            self._month(month, self.first_day + timedelta(days=MONTH_DAYS * month))
            self.log.record()

    def _ensure_lot_rule(self) -> None:
        if not LotNumberRule.objects.filter(
            organization=self.organization, item__isnull=True
        ).exists():
            lot_numbers.create_lot_rule(
                organization=self.organization,
                pattern=DEFAULT_LOT_PATTERN,
                reset=LotSequenceReset.DAY,
                by=self.demo.users["regulatory"],
            )

    def _month(self, month: int, start: date) -> None:
        sets = self.per_case["IS-2001"] * self.rng.randint(4, 8)
        kits = self.per_case["CVC-3001"] * self.rng.randint(2, 4)
        lines = sets  # one infusion line per set
        tube = self._need("SA-LINE", "CP-TUBE", lines) + self._need("CVC-3001", "CP-TUBE", kits)
        extruding = month < TUBE_BOUGHT_FROM_MONTH
        tube_made = _ceil(tube * TUBE_SCRAP, 100) if extruding else Decimal(0)
        needs = {
            "RM-PVC": self._need("CP-TUBE", "RM-PVC", tube_made),
            "RM-TOTM": self._need("CP-TUBE", "RM-TOTM", tube_made),
            "CP-NDL07": self._need("IS-2001", "CP-NDL07", sets),
            "PK-TYVEK": self._need("IS-2001", "PK-TYVEK", sets)
            + self._need("CVC-3001", "PK-TYVEK", kits),
            "CP-TUBE": Decimal(0) if extruding else tube,
        }
        # Deliveries in the first two days, released by incoming inspection within four.
        for code, need in needs.items():
            if need and self._on_hand(code) < need:
                self._receive(code, need - self._on_hand(code), self.log.day(start, 0, 1))
        hubs = self._need("CVC-3001", "CP-HUB", kits)
        molded = self.log.day(start, 2, 4)
        for code, quantity in zip(MOLDED, (lines, lines, hubs), strict=True):
            self._mold(code, quantity, molded)
        extruded = workday(start + timedelta(days=5))
        if extruding:
            self._produce("CP-TUBE", tube_made, extruded, "commissioning", "CR", phase="components")
        day = self.log.later(extruded, 1, 2)
        self._produce("SA-LINE", lines, day, "assembling", "CR-L1")
        day = self.log.later(day, 1, 2)
        infusion_sets = self._produce(
            "IS-2001", sets, day, "assembling", "CR-L1", disposition="in_progress"
        )
        set_cases = self._pack_lot(infusion_sets, day)
        # EO sterilization, then seven days for the biological indicators before release.
        sets_released = self.log.later(day, 8, 10)
        day = self.log.later(day, 1, 1)
        kit_lot = self._produce(
            "CVC-3001", kits, day, "assembling", "CR-L2", disposition="in_progress"
        )
        kit_cases = self._commission_and_pack(kit_lot, kits, day)
        kits_released = self.log.later(day, 8, 10)
        held = month == HOLD_MONTH
        self._judge("hold" if held else "release", infusion_sets, set_cases, sets_released)
        self._judge("release", kit_lot, list(kit_cases), kits_released)
        # A held lot stays in the MRB cage; the last month's sets wait in the store.
        set_cases = [] if held or month == MONTHS - 1 else set_cases
        loads = self._palletize(set_cases, sets_released + timedelta(days=1))
        if month < MONTHS - 1:
            loads += [(case, True, kits_released + timedelta(days=1)) for case in kit_cases]
        shipped = self._ship(loads, start + timedelta(days=MONTH_DAYS - 1), month)
        if month == RETURN_MONTH:
            self._return(shipped, kit_cases)

    def _need(self, product: str, component: str, quantity: Decimal | int) -> Decimal:
        per = sum((q for code, q in self.boms[product] if code == component), Decimal(0))
        return (per * quantity).quantize(Decimal("0.001"))

    def _on_hand(self, code: str) -> Decimal:
        return sum((entry.left for entry in self.stock[code]), Decimal(0))

    def _consume(self, code: str, quantity: Decimal) -> list[tuple[OnHand, Decimal]]:
        """Take `quantity` of `code` from the oldest lots first: [(lot on hand, used)]."""
        taken, wanted = [], quantity
        while wanted > 0:
            oldest = self.stock[code][0]
            used = min(oldest.left, wanted)
            taken.append((oldest, used))
            oldest.left -= used
            wanted -= used
            if oldest.left == 0:
                self.stock[code].popleft()
        return taken

    # The facts.

    def _receive(self, code: str, short: Decimal, day: date) -> None:
        supplier_code, usual, pack = PURCHASED[code]
        quantity = max(Decimal(usual), _ceil(short, pack))
        item = self.items[code]
        made = day - timedelta(days=self.rng.randint(20, 75))
        lot = trace.create_lot(
            item=item,
            lot_number=self._lot_number(item, day),
            site=self.site,
            origin=LotOrigin.RECEIVED,
            supplier=self.suppliers[supplier_code],
            supplier_lot_number=SUPPLIER_LOT_FORMATS[supplier_code].format(
                made=made, n=self.rng.randint(1, 40)
            ),
            manufactured_on=made,
            expires_on=made + timedelta(days=item.shelf_life_days)
            if item.shelf_life_days
            else None,
            by=self.demo.users["warehouse"],
        )
        store = self.rng.choice(STORE_BINS)
        self.stock[code].append(OnHand(lot, quantity, store))
        party = self.supplier_parties[supplier_code].identifier
        self.log.add(
            "receiving",
            "ObjectEvent",
            self.log.at(day, 9, 4),
            action="ADD",
            biz_step="receiving",
            disposition="in_progress",
            location="RCV",
            destination="RCV",
            quantities=[events.quantity(lot, quantity)],
            sources=[TypedId("owning_party", party)],
        )
        self.log.add(
            "inspection",
            "ObjectEvent",
            self.log.at(workday(day + timedelta(days=self.rng.randint(1, 2))), 14, 3),
            action="OBSERVE",
            biz_step="inspecting",
            disposition="available",
            location=store,
            source="RCV",
            destination=store,
            quantities=[events.quantity(lot, quantity)],
        )

    def _mold(self, code: str, quantity, day: date) -> None:
        lot = self._new_lot(code, day)
        self.stock[code].append(OnHand(lot, Decimal(quantity), "CR"))
        self.log.add(
            "components",
            "ObjectEvent",
            self.log.at(day, 8, 8),
            action="ADD",
            biz_step="creating_class_instance",
            disposition="active",
            location="CR",
            destination="CR",
            quantities=[events.quantity(lot, quantity)],
            equipment=MOLDER,
        )

    def _produce(
        self, code, quantity, day, biz_step, location, *, disposition="active", phase="production"
    ) -> Lot:
        """A lot of `code` made from the BOM's traced components (a TransformationEvent) at
        `location`, where the warehouse has issued them first."""
        taken = [
            entry
            for component, per in self.boms[code]
            for entry in self._consume(component, (per * quantity).quantize(Decimal("0.001")))
        ]
        issuing = "issue" if phase == "components" else "issue_assembly"
        for on_hand, used in taken:
            if on_hand.where != location:
                self._issue(issuing, on_hand, used, day, location)
        lot = self._new_lot(code, day)
        self.stock[code].append(OnHand(lot, Decimal(quantity), location))
        self.log.add(
            phase,
            "TransformationEvent",
            self.log.at(day, 8, 3),
            biz_step=biz_step,
            disposition=disposition,
            location=location,
            source=location,
            destination=location,
            inputs=[events.quantity(on_hand.lot, used) for on_hand, used in taken],
            outputs=[events.quantity(lot, quantity)],
            ilmd=events.ilmd(lot),
            equipment=MADE_ON.get(code),
        )
        return lot

    def _issue(self, phase: str, on_hand: OnHand, quantity: Decimal, day: date, line: str):
        """The warehouse issues material to the line at half past seven, before the shift;
        its ID is named, not drawn, so the rest of the history stays as it was."""
        self.issues += 1
        name = f"urn:medtrace:demo:{self.site.code}:issue:{self.issues}"
        self.log.add(
            phase,
            "ObjectEvent",
            datetime.combine(day, time(7, 30), tzinfo=ZONE),
            event_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
            action="OBSERVE",
            biz_step="picking",
            location=line,
            source=on_hand.where,
            destination=line,
            quantities=[events.quantity(on_hand.lot, quantity)],
        )

    def _pack_lot(self, lot: Lot, day: date) -> list[str]:
        """Cases of a lot-tracked device, each holding a full case of the lot."""
        per_case = self.per_case[lot.item.code]
        cases = []
        for _case in range(int(self._on_hand_of(lot)) // per_case):
            case = self._container(ContainerKind.CASE, "operator")
            cases.append(case)
            self.log.add(
                "packing",
                "AggregationEvent",
                self.log.at(day, 13, 4),
                action="ADD",
                biz_step="packing",
                disposition="in_progress",
                location="CR-L1",
                parent=case,
                quantities=[events.quantity(lot, per_case)],
            )
        return cases

    def _commission_and_pack(self, lot: Lot, count: int, day: date) -> dict[str, list[str]]:
        """Serialized kits of the lot, commissioned with the lot and expiry in ILMD, and
        packed in cases; {case: [unit identifiers]}."""
        units = []
        for _unit in range(count):
            unit = trace.create_unit(
                item=lot.item,
                serial=f"K{day:%y}{self.next_serial:06d}",
                gtin=lot.gtin,
                lot=lot,
                site=self.site,
                by=self.demo.users["supervisor"],
            )
            self.next_serial += 1
            units.append(unit.identifier)
        self.log.add(
            "production",
            "ObjectEvent",
            self.log.at(day, 13, 2),
            action="ADD",
            biz_step="commissioning",
            disposition="in_progress",
            location="CR-L2",
            destination="CR-L2",
            epcs=units,
            ilmd=events.ilmd(lot),
        )
        per_case = self.per_case[lot.item.code]
        cases = {}
        for start in range(0, count, per_case):
            case = self._container(ContainerKind.CASE, "operator")
            cases[case] = units[start : start + per_case]
            self.log.add(
                "packing",
                "AggregationEvent",
                self.log.at(day, 15, 2),
                action="ADD",
                biz_step="packing",
                disposition="in_progress",
                location="CR-L2",
                parent=case,
                epcs=cases[case],
            )
        return cases

    def _judge(self, phase: str, lot: Lot, cases: list[str], day: date) -> None:
        """QA's verdict on a finished lot and its cases after sterilization: released to the
        finished-goods store, or held in the MRB cage."""
        step, disposition, location = {
            "release": ("inspecting", "active", "FG"),
            "hold": ("holding", "non_sellable_other", "MRB"),
        }[phase]
        made_at = next(e.where for e in self.stock[lot.item.code] if e.lot.pk == lot.pk)
        self.log.add(
            phase,
            "ObjectEvent",
            self.log.at(day, 10, 6),
            action="OBSERVE",
            biz_step=step,
            disposition=disposition,
            location=location,
            source=made_at,
            destination=location,
            epcs=cases,
            quantities=[events.quantity(lot, self._on_hand_of(lot))],
        )
        for entry in self.stock[lot.item.code]:
            if entry.lot.pk == lot.pk:
                entry.where = location

    def _palletize(self, cases: list[str], day: date) -> list[tuple[str, bool, date]]:
        """Four infusion-set cases to a pallet, the rest shipped as cases; the loads as
        (identifier, holds kits, ready on)."""
        loads = []
        if len(cases) >= 4:
            pallet = self._container(ContainerKind.PALLET, "warehouse")
            self.log.add(
                "shipping",
                "AggregationEvent",
                self.log.at(day, 9, 2),
                action="ADD",
                biz_step="packing",
                location="SHP",
                parent=pallet,
                epcs=cases[:4],
            )
            loads.append((pallet, False, day))
            cases = cases[4:]
        return loads + [(case, False, day) for case in cases]

    def _ship(self, loads, last: date, month: int) -> list[tuple[date, str, list[str], bool]]:
        """One or two loads per shipment, within a week of being ready;
        [(day, customer code, shipped identifiers, holds kits)]."""
        shipped = []
        while loads:
            count = min(len(loads), self.rng.randint(1, 2))
            batch, loads = loads[:count], loads[count:]
            ready = max(ready for _load, _kits, ready in batch)
            day = min(self.log.later(ready, 0, 5), last)
            kits = any(is_kit for _load, is_kit, _ready in batch)
            if month == RETURN_MONTH and kits and not any(entry[3] for entry in shipped):
                customer = RETURN_CUSTOMER
            else:
                customer = self._customer(day, kits)
            identifiers = [load for load, _kits, _ready in batch]
            shipped.append((day, customer, identifiers, kits))
            self.log.add(
                "shipping",
                "ObjectEvent",
                self.log.at(day, 14, 3),
                action="OBSERVE",
                biz_step="shipping",
                disposition="in_transit",
                location="SHP",
                source="FG",
                epcs=identifiers,
                destinations=[TypedId("owning_party", self.customer_parties[customer].identifier)],
            )
        return shipped

    def _customer(self, day: date, kits: bool) -> str:
        """A customer whose licence is valid on `day` (GSP: no sale to a lapsed licence)."""
        codes = [
            code
            for code in CUSTOMER_WEIGHTS
            if code in self.customers
            and not (kits and code in NO_CATHETERS)
            and (
                self.customers[code].licence_valid_until is None
                or self.customers[code].licence_valid_until >= day
            )
        ]
        return self.rng.choices(codes, weights=[CUSTOMER_WEIGHTS[c] for c in codes])[0]

    def _return(self, shipped, kit_cases: dict[str, list[str]]) -> None:
        """One kit of the first catheter shipment to Ruijin comes back two weeks later."""
        day, customer, identifiers, _kits = next(
            entry for entry in shipped if entry[1] == RETURN_CUSTOMER and entry[3]
        )
        case = next(load for load in identifiers if load in kit_cases)
        unit = self.rng.choice(kit_cases[case])
        self.log.add(
            "return",
            "ObjectEvent",
            self.log.at(workday(day + timedelta(days=self.rng.randint(12, 16))), 10, 5),
            action="OBSERVE",
            biz_step="receiving",
            disposition="returned",
            location="RET",
            destination="RET",
            epcs=[unit],
            sources=[TypedId("owning_party", self.customer_parties[customer].identifier)],
        )

    # Helpers.

    def _new_lot(self, code: str, day: date) -> Lot:
        item = self.items[code]
        return trace.create_lot(
            item=item,
            lot_number=self._lot_number(item, day),
            gtin=self.gtins.get(code, ""),
            site=self.site,
            origin=LotOrigin.PRODUCED,
            manufactured_on=day,
            expires_on=day + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None,
            by=self.demo.users["supervisor"],
        )

    def _lot_number(self, item: Item, day: date) -> str:
        return lot_numbers.next_lot_number(item=item, site=self.site, today=day)

    def _container(self, kind: str, username: str) -> str:
        self.next_sscc += 1
        container = trace.create_container(
            organization=self.organization,
            sscc=sscc("1" if kind == ContainerKind.PALLET else "0", self.next_sscc),
            container_kind=kind,
            site=self.site,
            by=self.demo.users[username],
        )
        return container.identifier

    def _on_hand_of(self, lot: Lot) -> Decimal:
        return sum(
            (entry.left for entry in self.stock[lot.item.code] if entry.lot.pk == lot.pk),
            Decimal(0),
        )
