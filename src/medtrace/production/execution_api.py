"""Executing work orders over the REST API, mounted at /api/v1/production beside api.py: for an
MES or a machine as much as for a floor terminal. Operations started and finished, process
readings posted in batches (each row recorded or refused on its own), components consumed by
scan and taken back out, output recorded (labels and QA's release: release_api.py). Every
rule lives in production.services; this module only finds the records the body names and
translates the answers."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.core.api import READ_ERRORS, ErrorDetail, Pages, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.numbers import plain
from medtrace.equipment.models import Equipment
from medtrace.org.models import Location
from medtrace.trace.choices import ObjectKind
from medtrace.trace.models import Unit
from medtrace.trace.selectors import find_one

from .api import BODY_ERRORS, order_or_404
from .choices import OperationStatus, ReadingSource, SerialSource
from .models import ParameterReading, WorkOrder
from .services import consumption, operations, outputs, readings, rework
from .services.common import EXECUTE

router = Router(tags=["production"])

MAX_READINGS = 500  # rows per batch


# --- Operations and readings ---------------------------------------------------------------


class ParameterOut(Schema):
    name: str
    unit: str
    lower_limit: str | None
    target: str | None
    upper_limit: str | None


class ExecutionReadingOut(Schema):
    id: int
    parameter: str
    value: str
    unit: str
    lower_limit: str | None
    target: str | None
    upper_limit: str | None
    within_limits: bool
    read_at: datetime
    source: ReadingSource
    client_id: str
    equipment: str | None
    deviation: str | None = Field(None, description="The deviation an out-of-limit value opened")
    recorded_by: str = Field(..., alias="recorded_by.username")

    @staticmethod
    def resolve_value(reading) -> str:
        return plain(reading.value)

    @staticmethod
    def resolve_lower_limit(reading) -> str | None:
        return plain(reading.lower_limit)

    @staticmethod
    def resolve_target(reading) -> str | None:
        return plain(reading.target)

    @staticmethod
    def resolve_upper_limit(reading) -> str | None:
        return plain(reading.upper_limit)

    @staticmethod
    def resolve_equipment(reading) -> str | None:
        return reading.equipment.code if reading.equipment_id else None

    @staticmethod
    def resolve_deviation(reading) -> str | None:
        return reading.deviation.number if reading.deviation_id else None


class ExecutionOperationOut(Schema):
    position: int
    name: str
    status: OperationStatus
    equipment_type: str
    inspection_plan: str
    documents: list[str] = Field(..., description="Documents the operator must be trained on")
    per_unit: bool = Field(..., description="Components are consumed into the unit being built")
    parameters: list[ParameterOut]
    equipment: str | None
    equipment_state: dict = Field(..., description="The equipment's standing when started")
    qualifications: list[dict] = Field(..., description="Document revisions trained on")
    started_by: str | None
    started_at: datetime | None
    finished_by: str | None
    finished_at: datetime | None
    note: str
    missing: list[str] = Field(..., description="What the operation in progress lacks to finish")
    readings: list[ExecutionReadingOut]

    @staticmethod
    def resolve_parameters(operation) -> list[dict]:
        return operation.parameters()

    @staticmethod
    def resolve_equipment(operation) -> str | None:
        return operation.equipment.code if operation.equipment_id else None

    @staticmethod
    def resolve_started_by(operation) -> str | None:
        return operation.started_by.username if operation.started_by_id else None

    @staticmethod
    def resolve_finished_by(operation) -> str | None:
        return operation.finished_by.username if operation.finished_by_id else None

    @staticmethod
    def resolve_missing(operation) -> list[str]:
        if operation.status != OperationStatus.IN_PROGRESS:
            return []
        return operations.missing_to_finish(operation)

    @staticmethod
    def resolve_readings(operation) -> list:
        return list(operation.readings.all())


class StartIn(Schema):
    equipment: str | None = Field(None, description="Equipment code at the order's site")
    at: datetime | None = Field(None, description="When it started, with its time zone")


class FinishIn(Schema):
    note: str = ""
    at: datetime | None = Field(None, description="When it finished, with its time zone")


class ExecutionReadingIn(Schema):
    operation: int = Field(..., description="The operation's position in the routing")
    parameter: str
    value: Decimal | str
    unit: str = Field("", description="Optional; must be the parameter's unit when given")
    read_at: datetime | None = Field(None, description="When it was read (default: now)")
    client_id: str = Field("", description="The machine's own ID: posted again, recorded once")
    equipment: str | None = Field(None, description="Equipment code (default: the operation's)")


class ReadingsIn(Schema):
    readings: list[ExecutionReadingIn] = Field(..., min_length=1, max_length=MAX_READINGS)


class ReadingResultOut(Schema):
    index: int = Field(..., description="The row's position in the posted list, from 0")
    status: Literal["recorded", "refused"]
    reading: int | None = Field(
        None, description="The reading's ID (a retried client_id: the first)"
    )
    within_limits: bool | None = None
    deviation: str | None = None
    error: ErrorDetail | None = None


class ReadingsOut(Schema):
    recorded: int
    refused: int
    results: list[ReadingResultOut]


def _operations(order: WorkOrder):
    return order.operations.select_related(
        "equipment", "started_by", "finished_by"
    ).prefetch_related(
        Prefetch(
            "readings",
            queryset=ParameterReading.objects.select_related(
                "equipment", "deviation", "recorded_by"
            ),
        )
    )


def _operation_out(order: WorkOrder, position: int):
    return get_object_or_404(_operations(order), position=position)


def _no_equipment(order: WorkOrder, code: str) -> DomainError:
    message = _("Site %(site)s has no equipment %(code)s.") % {
        "site": order.site.code,
        "code": code,
    }
    return DomainError(ErrorCode.NOT_FOUND, message, fields={"equipment": [str(message)]})


def _equipment(order: WorkOrder, code: str | None) -> Equipment | None:
    if not code or not code.strip():
        return None
    found = Equipment.objects.filter(site_id=order.site_id, code=code.strip().upper()).first()
    if found is None:
        raise _no_equipment(order, code.strip())
    return found


@router.get(
    "/work-orders/{int:pk}/operations", response={200: list[ExecutionOperationOut], **READ_ERRORS}
)
def list_operations(request, pk: int):
    """The order's operations in routing order, each with its parameters' limits, who
    performed it on which equipment, and its readings."""
    return list(_operations(order_or_404(request, pk)))


@router.post(
    "/work-orders/{int:pk}/operations/{int:position}/start",
    response={200: ExecutionOperationOut, **BODY_ERRORS},
)
def start_operation(request, pk: int, position: int, payload: StartIn):
    """Start the operation on the equipment scanned. 403 `permission_denied` when you are not
    trained on the documents it requires (`details.cause` `not_trained`), 409
    `invalid_state` when the equipment may not be used (out of service, calibration overdue:
    `details.cause` `equipment_unusable`) or an earlier operation is not done; 422 when the
    equipment is missing or of the wrong type."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    operation = get_object_or_404(order.operations, position=position)
    operations.start(
        operation, by=request.user, equipment=_equipment(order, payload.equipment), at=payload.at
    )
    return _operation_out(order, position)


@router.post(
    "/work-orders/{int:pk}/operations/{int:position}/finish",
    response={200: ExecutionOperationOut, **BODY_ERRORS},
)
def finish_operation(request, pk: int, position: int, payload: FinishIn):
    """Finish the operation in progress: 409 with `details.missing` until every parameter was
    read and its in-process inspection completed."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    operation = get_object_or_404(order.operations, position=position)
    operations.finish(operation, by=request.user, note=payload.note, at=payload.at)
    return _operation_out(order, position)


def _row_out(result: readings.RowResult) -> dict:
    if result.error is not None:
        return {
            "index": result.index,
            "status": "refused",
            "error": result.error.as_body()["error"],
        }
    reading = result.reading
    return {
        "index": result.index,
        "status": "recorded",
        "reading": reading.pk,
        "within_limits": reading.within_limits,
        "deviation": reading.deviation.number if reading.deviation_id else None,
    }


@router.post("/work-orders/{int:pk}/readings", response={200: ReadingsOut, **BODY_ERRORS})
def post_readings(request, pk: int, payload: ReadingsIn):
    """Process-parameter readings from a machine or MES, up to 500 a request. Each row is
    recorded on its own (200 even when some are refused: each result says which, with the
    rule). A value outside the limits is recorded, opens a deviation and holds the lot in
    the same transaction; the same `client_id` posted again answers the first reading."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    codes = {row.equipment.strip().upper() for row in payload.readings if row.equipment}
    found = {
        machine.code: machine
        for machine in Equipment.objects.filter(site_id=order.site_id, code__in=codes)
    }
    rows, sent, results = [], [], {}
    for index, row in enumerate(payload.readings):
        code = (row.equipment or "").strip().upper()
        if code and code not in found:
            results[index] = readings.RowResult(index, error=_no_equipment(order, code))
            continue
        rows.append(
            {
                "operation": row.operation,
                "parameter": row.parameter,
                "value": row.value,
                "unit": row.unit,
                "read_at": row.read_at,
                "client_id": row.client_id,
                "equipment": found.get(code),
            }
        )
        sent.append(index)
    for result in readings.record_batch(order, rows, by=request.user):
        result.index = sent[result.index]
        results[result.index] = result
    out = [_row_out(results[index]) for index in sorted(results)]
    recorded = sum(1 for row in out if row["status"] == "recorded")
    return {"recorded": recorded, "refused": len(out) - recorded, "results": out}


# --- Consumption and output ----------------------------------------------------------------


class ConsumptionOut(Schema):
    id: int
    component: str = Field(..., alias="component.code")
    lot: str | None
    serial: str | None
    quantity: str
    uom: str
    operation: int | None = Field(None, description="Position of the operation in progress then")
    into_unit: str | None = Field(None, description="Serial of the unit it went into")
    reason: str
    event: str = Field(..., alias="event.event_id")
    returned: bool
    consumed_by: str = Field(..., alias="consumed_by.username")
    consumed_at: datetime

    @staticmethod
    def resolve_lot(row) -> str | None:
        return row.lot.lot_number if row.lot_id else None

    @staticmethod
    def resolve_serial(row) -> str | None:
        return row.unit.serial if row.unit_id else None

    @staticmethod
    def resolve_quantity(row) -> str:
        return plain(row.quantity)

    @staticmethod
    def resolve_operation(row) -> int | None:
        return row.operation.position if row.operation_id else None

    @staticmethod
    def resolve_into_unit(row) -> str | None:
        return row.into_unit.serial if row.into_unit_id else None

    @staticmethod
    def resolve_returned(row) -> bool:
        return row.returned_event_id is not None


class ConsumeIn(Schema):
    code: str = Field(..., description="The component's label as scanned, identifier or lot number")
    quantity: Decimal | None = Field(None, description="Of a lot; a unit is consumed whole")
    reason: str = Field("", description="Required beyond the BOM line's tolerance")
    into_unit: str | None = Field(None, description="Serial or label of the unit being built")
    key: str | None = Field(None, max_length=64, description="Client key: a retry is answered once")
    at: datetime | None = Field(None, description="When it was scanned, with its time zone")


class OutputOut(Schema):
    id: int
    quantity: str
    serial: str | None
    identifier: str | None = Field(None, description="The unit's identifier")
    serial_source: SerialSource | Literal[""]
    event: str = Field(..., alias="event.event_id")
    recorded_by: str = Field(..., alias="recorded_by.username")
    recorded_at: datetime

    @staticmethod
    def resolve_quantity(row) -> str:
        return plain(row.quantity)

    @staticmethod
    def resolve_serial(row) -> str | None:
        return row.unit.serial if row.unit_id else None

    @staticmethod
    def resolve_identifier(row) -> str | None:
        return row.unit.identifier if row.unit_id else None


class OutputIn(Schema):
    quantity: Decimal | None = Field(None, description="Made, of a lot-tracked item")
    serials: list[str] = Field([], description="Serialized: serials or pre-printed labels scanned")
    generate: int | None = Field(None, description="Serialized: how many serials to generate")
    key: str | None = Field(None, max_length=64, description="Client key: a retry is answered once")
    at: datetime | None = Field(None, description="When it was made, with its time zone")


class MadeOut(Schema):
    event: str
    made: str = Field(..., description="The order's output so far")
    outputs: list[OutputOut]


def _consumptions(order: WorkOrder):
    return order.consumptions.select_related(
        "component", "lot", "unit", "operation", "into_unit", "event", "consumed_by"
    )


def _outputs(order: WorkOrder):
    return order.outputs.select_related("unit", "event", "recorded_by")


def _unit(request, order: WorkOrder, text: str | None) -> Unit | None:
    """The unit being built: a serial of the order's lot, or any label or identifier of it."""
    text = (text or "").strip()
    if not text:
        return None
    unit = Unit.objects.filter(lot_id=order.lot_id, serial=text).first() if order.lot_id else None
    if unit is not None:
        return unit
    found = find_one(request.user, text)
    if found.kind != ObjectKind.UNIT:
        message = _("%(code)s is not a serialized unit.") % {"code": text}
        raise DomainError(ErrorCode.VALIDATION, message, fields={"into_unit": [str(message)]})
    return Unit.objects.get(pk=found.pk)


@router.get(
    "/work-orders/{int:pk}/consumptions", response={200: list[ConsumptionOut], **READ_ERRORS}
)
@paginate(Pages)
def list_consumptions(request, pk: int):
    return _consumptions(order_or_404(request, pk))


@router.post("/work-orders/{int:pk}/consumptions", response={201: ConsumptionOut, **BODY_ERRORS})
def consume(request, pk: int, payload: ConsumeIn):
    """Consume the scanned component into the order (201; a retry with the same `key`
    answers the first consumption). Refused with the rule named: not in the BOM (422), not
    available (409 `invalid_state`: quarantined, held, expired…), not enough at the line
    (409), beyond the tolerance without a reason (422, `details.over_consumption`), a unit
    consumed already (409 `conflict`)."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    row = consumption.consume(
        order, scanned=find_one(request.user, payload.code), by=request.user,
        quantity=payload.quantity, reason=payload.reason,
        into_unit=_unit(request, order, payload.into_unit), at=payload.at, key=payload.key,
    )  # fmt: skip
    return Status(201, _consumptions(order).get(pk=row.pk))


class TakeBackIn(Schema):
    location: str = Field(..., description="Code of the location of the order's site it goes to")
    reason: str = Field(..., description="Why it comes back out (disassembly, rework)")
    key: str | None = Field(None, max_length=64, description="Client key: a retry is answered once")
    at: datetime | None = Field(None, description="When it came out, with its time zone")


@router.post(
    "/work-orders/{int:pk}/consumptions/{int:consumption_pk}/take-back",
    response={200: ConsumptionOut, **BODY_ERRORS},
)
def take_back(request, pk: int, consumption_pk: int, payload: TakeBackIn):
    """Take a consumed component back out (disassembly, rework) to a location, with its
    history: a unit waits there in quarantine and may be consumed again once released. 409
    `conflict` when it came back out already; 409 once the order's lot is released."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    row = get_object_or_404(order.consumptions, pk=consumption_pk)
    location = get_object_or_404(Location, site_id=order.site_id, code=payload.location.upper())
    rework.disassemble(
        row, by=request.user, reason=payload.reason, location=location, at=payload.at,
        key=payload.key,
    )  # fmt: skip
    return _consumptions(order).get(pk=row.pk)


@router.get("/work-orders/{int:pk}/outputs", response={200: list[OutputOut], **READ_ERRORS})
@paginate(Pages)
def list_outputs(request, pk: int):
    return _outputs(order_or_404(request, pk))


@router.post("/work-orders/{int:pk}/outputs", response={201: MadeOut, **BODY_ERRORS})
def record_output(request, pk: int, payload: OutputIn):
    """Record what was made: `quantity` of a lot-tracked item; of a serialized one, the
    `serials` read from pre-printed labels or `generate` new ones (201; a retry with the same
    `key` answers the first recording). More than the order's quantity answers 409."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    made = outputs.record(
        order, by=request.user, quantity=payload.quantity, serials=payload.serials,
        generate=payload.generate, at=payload.at, key=payload.key,
    )  # fmt: skip
    return Status(
        201,
        {
            "event": made.event.event_id,
            "made": plain(outputs.made_quantity(order)),
            "outputs": list(_outputs(order).filter(pk__in=[row.pk for row in made.outputs])),
        },
    )
