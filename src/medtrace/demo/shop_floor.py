"""How the demo works orders on the Suzhou floor, through the services only: the stores issue
components to the line (inventory.services.floor), operators scan them into the order and
perform the routing's operations on the equipment they need (production.services: training,
calibration, BOM tolerance and limits are checked as on the real floor), the QC inspector
records each in-process inspection (quality.services.inspection), labels are printed and
reconciled, the supervisor completes the order and QA releases its lot by signature. Molded
parts (drip chambers, clamps, hubs: no BOM or routing of their own in the demo) are booked into
the clean room by the stock-movement service, as made on IMM-01.

Everything happens now: the services stamp the floor's records with the time they are
entered, and the operators were trained today (demo.training), so no record is backdated."""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from medtrace.catalog.choices import PackagingLevel
from medtrace.catalog.services.lot_numbers import next_lot_number
from medtrace.demo import events
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.equipment.models import Equipment
from medtrace.inventory.choices import Operation
from medtrace.inventory.models import Stock
from medtrace.inventory.selectors import fefo
from medtrace.inventory.services import floor, moves
from medtrace.production import services as work_orders
from medtrace.production.models import WorkOrder, WorkOrderOperation
from medtrace.production.services import consumption, labels, lot_release, operations, readings
from medtrace.quality.choices import CharacteristicKind
from medtrace.quality.models import InspectionPlan
from medtrace.quality.services import inspection as inspections
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot
from medtrace.trace.selectors import find_one
from medtrace.trace.services import objects as trace_objects

SITE = "SZ01"
MOLDING_AREA = "CR"  # molded parts wait in the clean room until issued to a line
STORES = "WH/"  # the raw-material store's bins


@dataclass(frozen=True)
class Step:
    """One routing operation as the demo performs it: who, on what, the values read (by hand,
    or posted by the machine's controller), and whether it is finished."""

    position: int
    by: str
    equipment: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    machine: bool = False
    finish: bool = True
    note: str = ""


class Floor:
    def __init__(self, demo: DemoPlant):
        self.demo = demo
        self.site = demo.sites[SITE]
        self.users = demo.users
        # its own: the other steps' draws stay
        self.rng = random.Random(f"{demo.seed}-floor")  # nosec B311 # demo data
        self.equipment = {e.code: e for e in Equipment.objects.filter(site=self.site)}
        self.plans = {
            plan.code: plan
            for plan in InspectionPlan.objects.filter(organization=demo.organization)
        }

    def location(self, code: str):
        return self.demo.locations[(SITE, code)]

    # Planning.

    def order(self, code: str, quantity, line: str, note: str) -> WorkOrder:
        """The supervisor plans the order for today on `line` and releases it to the floor."""
        supervisor = self.users["supervisor"]
        today = self.site.local_date()
        order = work_orders.create_work_order(
            site=self.site,
            item=self.demo.items[code],
            quantity=quantity,
            planned_start=today,
            planned_end=today,
            note=note,
            line=self.location(line),
            by=supervisor,
        )
        return work_orders.release(order, by=supervisor)

    # Material.

    def mold(self, code: str, quantity) -> Lot:
        """A lot of a molded part made on IMM-01 today, waiting in the clean room."""
        item = self.demo.items[code]
        today = self.site.local_date()
        supervisor = self.users["supervisor"]
        lot = trace_objects.create_lot(
            item=item,
            lot_number=next_lot_number(item=item, site=self.site),
            site=self.site,
            origin=LotOrigin.PRODUCED,
            manufactured_on=today,
            expires_on=today + timedelta(days=item.shelf_life_days)
            if item.shelf_life_days
            else None,
            by=supervisor,
        )
        moves.move(
            site=self.site,
            lines=[moves.Line(lot, Decimal(quantity))],
            operation=Operation.RECEIVE,
            action="ADD",
            biz_step="creating_class_instance",
            disposition="active",
            destination=self.location(MOLDING_AREA),
            ilmd=events.ilmd(lot),
            reason=f"IMM-01 注塑 / molded on IMM-01: {item.code}",
            by=supervisor,
        )
        return lot

    def issue(self, obj, quantity, *, source: str, line: str):
        return floor.execute(
            floor.Task.ISSUE,
            site=self.site,
            obj=obj,
            quantity=Decimal(quantity),
            source=self.location(source),
            destination=self.location(line),
            by=self.users["warehouse"],
        )

    def issue_from_stores(self, code: str, quantity, line: str) -> None:
        """The warehouse picks `quantity` of `code` from the raw-material stores, first expiry
        first out, and issues it to `line`."""
        wanted = Decimal(quantity)
        for row in fefo(self.site, self.demo.items[code], today=self.site.local_date()):
            if wanted <= 0:
                break
            if not row.location.path.startswith(STORES):
                continue
            take = min(row.quantity, wanted)
            self.issue(row.object, take, source=row.location.code, line=line)
            wanted -= take
        if wanted > 0:
            raise RuntimeError(f"The stores are {wanted} short of {code} for {line}.")

    def at_line(self, order: WorkOrder, code: str) -> list[tuple[Lot, Decimal]]:
        """The lots of `code` at the order's line and how much of each, oldest first."""
        rows = Stock.objects.filter(location=order.line, item__code=code, quantity__gt=0)
        return [
            (Lot.objects.get(pk=row.lot_id), row.quantity)
            for row in rows.select_related("lot").order_by("lot__expires_on", "lot_id")
        ]

    def consume_bom(self, order: WorkOrder, codes: list[str], *, by: str) -> None:
        """Scan what the order needs of `codes` (the BOM's quantity for the whole order) from
        the lots at the line, oldest first."""
        for line in order.required():
            if line["component"] not in codes:
                continue
            wanted = line["required"]
            for lot, held in self.at_line(order, line["component"]):
                if wanted <= 0:
                    break
                take = min(held, wanted)
                self.consume(order, lot, take, by=by)
                wanted -= take
            if wanted > 0:
                raise RuntimeError(f"{order.line.path} is {wanted} short of {line['component']}.")

    def consume(self, order: WorkOrder, lot: Lot, quantity, *, by: str, into_unit=None):
        """The operator scans the component lot's label at the line."""
        operator = self.users[by]
        return consumption.consume(
            order,
            scanned=find_one(operator, lot.identifier),
            quantity=quantity,
            into_unit=into_unit,
            by=operator,
        )

    # Operations.

    def operation(self, order: WorkOrder, position: int) -> WorkOrderOperation:
        return order.operations.get(position=position)

    def start(self, order: WorkOrder, step: Step) -> WorkOrderOperation:
        """`step.by` starts the operation on its equipment and reads its parameters."""
        by = self.users[step.by]
        equipment = self.equipment[step.equipment] if step.equipment else None
        operation = operations.start(
            self.operation(order, step.position), by=by, equipment=equipment
        )
        if step.machine:
            rows = [
                {"operation": step.position, "parameter": name, "value": value,
                 "client_id": f"{order.number}-{step.position}-{number}", "equipment": equipment}
                for number, (name, value) in enumerate(step.values, start=1)
            ]  # fmt: skip
            for row in readings.record_batch(order, rows, by=by):
                if row.error is not None:
                    raise row.error
        else:
            for name, value in step.values:
                readings.record(operation, parameter=name, value=value, by=by)
        return operation

    def end(self, order: WorkOrder, step: Step, *, inspect: int | None = None):
        """The lot inspected against the operation's plan (`inspect` units), then the
        operation finished unless the step says it is still running."""
        operation = self.operation(order, step.position)
        if inspect and operation.inspection_plan:
            self.inspect(order, operation.inspection_plan, inspect, equipment=step.equipment)
        if step.finish:
            operation = operations.finish(operation, by=self.users[step.by], note=step.note)
        return operation

    def perform(self, order: WorkOrder, step: Step, *, inspect: int | None = None):
        self.start(order, step)
        return self.end(order, step, inspect=inspect)

    def near(self, target: str, spread: str) -> str:
        """A reading within `spread` of `target`, to the target's decimal places."""
        places = Decimal(target).as_tuple().exponent
        offset = Decimal(spread) * Decimal(self.rng.randint(-100, 100)) / 100
        return str((Decimal(target) + offset).quantize(Decimal(1).scaleb(places)))

    def inspect(self, order: WorkOrder, plan_code: str, lot_size: int, *, equipment=None):
        """The QC inspector's in-process inspection of the order's lot: every sample of every
        characteristic passes (a measured one within its limits), signed."""
        inspector = self.users["inspector"]
        plan = self.plans[plan_code]
        # The operation's instrument, when the plan measures something with one.
        measured = plan.characteristics.exclude(equipment_type="").exists()
        used = [self.equipment[equipment]] if equipment and measured else []
        record = inspections.start_inspection(
            site=self.site, plan=plan, lot=order.lot, lot_size=lot_size, equipment=used,
            by=inspector,
        )  # fmt: skip
        results = []
        for characteristic in plan.characteristics.all():
            for sample in range(1, inspections.sample_size_of(record, characteristic) + 1):
                if characteristic.kind == CharacteristicKind.VARIABLE:
                    results.append({"characteristic": characteristic, "sample": sample,
                                    "value": self._measured(characteristic)})  # fmt: skip
                else:
                    results.append(
                        {"characteristic": characteristic, "sample": sample, "passed": True}
                    )
        inspections.record_results(record, results, by=inspector)
        return inspections.complete_inspection(record, by=inspector, password=DEMO_PASSWORD)

    def _measured(self, characteristic) -> Decimal:
        """A value well within the characteristic's limits (15 to 35 % into its range)."""
        upper = characteristic.upper_limit
        lower = characteristic.lower_limit if characteristic.lower_limit is not None else 0
        span = Decimal(upper) - Decimal(lower)
        return (Decimal(lower) + span * Decimal(self.rng.randint(15, 35)) / 100).quantize(
            Decimal("0.01")
        )

    # Labels, completion, release.

    def label(self, order: WorkOrder, *, spares: int = 2, skip_reconciling=()) -> None:
        """The operator prints each packaging level's labels for what was made (a couple of
        spare unit labels), puts them on and destroys the spares; levels in
        `skip_reconciling` are not counted back yet."""
        operator = self.users["operator"]
        made = int(order.quantity)
        for identifier in lot_release.labelled_identifiers(order):
            needed = self._labels_needed(identifier, made)
            extra = spares if identifier.packaging_level == PackagingLevel.BASE_UNIT else 0
            labels.print_labels(order, identifier=identifier, copies=needed + extra, by=operator)
            if identifier.packaging_level in skip_reconciling:
                continue
            labels.reconcile(
                order, identifier=identifier, used=needed, destroyed=extra, by=operator,
                reason="多打的标签已当场销毁 / spare labels destroyed at the line" if extra else "",
            )  # fmt: skip

    @staticmethod
    def _labels_needed(identifier, made: int) -> int:
        per = 1
        level = identifier
        while level.contains_id is not None:
            per *= level.quantity_per_package or 1
            level = level.contains
        return max(1, -(-made // per))  # whole packages, the last one partly filled

    def complete(self, order: WorkOrder) -> WorkOrder:
        return lot_release.complete(order, by=self.users["supervisor"])

    def release(self, order: WorkOrder, reason: str, *, to: str | None = "FG") -> WorkOrder:
        """QA's signed release of the lot, put away to `to` (None: it stays at the line)."""
        return lot_release.release_lot(
            order, by=self.users["qa"], password=DEMO_PASSWORD, reason=reason,
            location=self.location(to) if to else None,
        )  # fmt: skip
