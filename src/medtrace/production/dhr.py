"""The device history record of a work order's lot (or of one serialized unit of it), assembled
from the records, never typed: the BOM and routing versions built to, every component lot or
unit with its supplier and incoming inspection, each operation with its operator, equipment and
calibration state at the time, the document revisions trained on, every parameter reading
against its limits, the lot's inspections, deviations and nonconformances with their
dispositions, the output, the labels printed, used and destroyed, the UDI, and QA's release
signature. The page and the PDF render the same `Dhr`."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from medtrace.audit import signatures
from medtrace.production.models import Consumption, Output, WorkOrder, WorkOrderOperation
from medtrace.production.services import lot_release, outputs
from medtrace.quality.choices import InspectionStage, InspectionStatus
from medtrace.quality.models import Deviation, InspectionRecord, Nonconformance
from medtrace.trace.models import Unit


@dataclass
class ComponentRow:
    consumption: Consumption
    supplier: str
    supplier_lot: str
    incoming: InspectionRecord | None


@dataclass
class OperationRow:
    operation: WorkOrderOperation
    readings: list
    equipment_name: str


@dataclass
class Dhr:
    order: WorkOrder
    unit: Unit | None
    udi: str
    made: Decimal
    components: list[ComponentRow]
    operations: list[OperationRow]
    inspections: list[InspectionRecord]
    deviations: list[Deviation]
    nonconformances: list[Nonconformance]
    outputs: list[Output]
    labels: list
    signatures: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def out_of_limit(self) -> int:
        return sum(1 for row in self.operations for r in row.readings if not r.within_limits)


def udi_of(order: WorkOrder, unit: Unit | None = None) -> str:
    """The UDI as GS1 HRI: (01) the lot's GTIN, (17) expiry, (11) production date, (10) lot,
    (21) serial; empty without a GTIN."""
    lot = order.lot
    if lot is None or not lot.gtin:
        return ""
    parts = [f"(01){lot.gtin.zfill(14)}"]
    if lot.expires_on:
        parts.append(f"(17){lot.expires_on:%y%m%d}")
    if lot.manufactured_on:
        parts.append(f"(11){lot.manufactured_on:%y%m%d}")
    parts.append(f"(10){lot.lot_number}")
    if unit is not None:
        parts.append(f"(21){unit.serial}")
    return "".join(parts)


def _components(order: WorkOrder, unit: Unit | None) -> list[ComponentRow]:
    rows = order.consumptions.select_related(
        "component",
        "lot__supplier",
        "unit",
        "into_unit",
        "consumed_by",
        "operation",
        "returned_event",
    ).order_by("consumed_at", "pk")
    if unit is not None:
        # A unit is made of what went into it, and of what went into its whole lot.
        rows = rows.filter(Q(into_unit=unit) | Q(into_unit__isnull=True))
    lots = {row.lot_id for row in rows if row.lot_id}
    incoming = {}
    for record in (
        InspectionRecord.objects.filter(lot_id__in=lots, stage=InspectionStage.INCOMING)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("started_at", "pk")
    ):
        incoming[record.lot_id] = record  # the latest wins
    return [
        ComponentRow(
            consumption=row,
            supplier=str(row.lot.supplier) if row.lot_id and row.lot.supplier_id else "",
            supplier_lot=row.lot.supplier_lot_number if row.lot_id else "",
            incoming=incoming.get(row.lot_id),
        )
        for row in rows
    ]


def _operations(order: WorkOrder) -> list[OperationRow]:
    found = []
    for operation in order.operations.select_related(
        "equipment", "started_by", "finished_by"
    ).order_by("position"):
        readings = list(
            operation.readings.select_related("deviation", "recorded_by", "equipment").order_by(
                "read_at", "pk"
            )
        )
        name = operation.equipment.name if operation.equipment_id else ""
        found.append(OperationRow(operation, readings, name))
    return found


def build(order: WorkOrder, unit: Unit | None = None) -> Dhr:
    order = WorkOrder.objects.select_related(
        "site", "item", "lot", "line", "bom", "routing", "released_by", "completed_by",
        "lot_released_by",
    ).get(pk=order.pk)  # fmt: skip
    lot = order.lot
    inspections, deviations, ncrs, signed = [], [], [], []
    if lot is not None:
        inspections = list(
            InspectionRecord.objects.filter(lot=lot)
            .select_related("plan", "inspector")
            .order_by("started_at", "pk")
        )
        deviations = list(Deviation.objects.filter(lots=lot).order_by("opened_at", "pk"))
        ncrs = list(
            Nonconformance.objects.filter(lot=lot)
            .prefetch_related("dispositions")
            .order_by("opened_at", "pk")
        )
        signed = list(signatures.with_validity(order))
    made_outputs = order.outputs.select_related("unit", "recorded_by").order_by("recorded_at", "pk")
    if unit is not None:
        made_outputs = made_outputs.filter(unit=unit)
    return Dhr(
        order=order,
        unit=unit,
        udi=udi_of(order, unit),
        made=outputs.made_quantity(order),
        components=_components(order, unit),
        operations=_operations(order),
        inspections=inspections,
        deviations=deviations,
        nonconformances=ncrs,
        outputs=list(made_outputs),
        labels=list(order.labels.select_related("identifier").order_by("identifier__value")),
        signatures=signed,
        missing=lot_release.blockers(order) if lot is not None else [],
    )
