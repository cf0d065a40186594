"""Machine and MES data over the REST API (mounted at /api/v1/integration): readings and
machine states in one batch, named by equipment, with a result for every row."""

from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema

from medtrace.core.api import WRITE_ERRORS, ErrorDetail
from medtrace.integration import intake
from medtrace.org import access

router = Router(tags=["integration"])


class MachineReadingIn(Schema):
    equipment: str = Field(..., description="The equipment's code at the site")
    parameter: str
    value: Decimal | str
    unit: str = Field("", description="Optional; must be the parameter's unit when given")
    read_at: str | None = Field(None, description="ISO 8601 with its zone (default: now)")
    client_id: str = Field("", description="The machine's own ID: posted again, recorded once")


class MachineStateIn(Schema):
    equipment: str
    state: str = Field(..., description="running, idle, setup, down, maintenance or off")
    at: str | None = Field(None, description="Since when, ISO 8601 with its zone (default: now)")
    reason: str = ""
    client_id: str = ""


class MachineDataIn(Schema):
    site: str = Field(..., description="The site's code")
    readings: list[MachineReadingIn] = Field(default_factory=list, max_length=intake.MAX_ROWS)
    states: list[MachineStateIn] = Field(default_factory=list, max_length=intake.MAX_ROWS)


class IntakeRowOut(Schema):
    index: int = Field(..., description="The row's position in its list, from 0")
    status: Literal["recorded", "refused"]
    id: int | None = Field(None, description="The record's ID (a retried client_id: the first)")
    work_order: str | None = None
    operation: int | None = None
    within_limits: bool | None = None
    deviation: str | None = None
    error: ErrorDetail | None = None


class RowsOut(Schema):
    recorded: int
    refused: int
    results: list[IntakeRowOut]


class MachineDataOut(Schema):
    readings: RowsOut
    states: RowsOut


def _row(result: intake.RowResult) -> dict:
    if result.error is not None:
        return {
            "index": result.index,
            "status": "refused",
            "error": result.error.as_body()["error"],
        }
    record = result.record
    row = {"index": result.index, "status": "recorded", "id": record.pk}
    operation = getattr(record, "operation", None)
    if operation is not None:
        row |= {
            "work_order": operation.work_order.number,
            "operation": operation.position,
            "within_limits": record.within_limits,
            "deviation": record.deviation.number if record.deviation_id else None,
        }
    return row


def _rows(results: list[intake.RowResult]) -> dict:
    refused = sum(1 for result in results if result.error is not None)
    return {
        "recorded": len(results) - refused,
        "refused": refused,
        "results": [_row(result) for result in results],
    }


@router.post("/machine-data", response={200: MachineDataOut, **WRITE_ERRORS})
def machine_data(request, body: MachineDataIn):
    """Readings and machine states from machines or an MES. Answers 200 with one result per
    row, in order, even when rows are refused; 4xx only for a malformed body or an unknown
    site. A reading goes to the operation that ran on its equipment at `read_at`; a value
    outside the routing's limits is recorded and opens a deviation holding the lot. Late and
    out-of-order rows are placed by their own time."""
    site = access.visible_sites(request.user).filter(code=body.site.strip().upper()).first()
    if site is None:
        raise Http404
    reading_results, state_results = intake.record_machine_data(
        site=site,
        readings_rows=[row.dict() for row in body.readings],
        state_rows=[row.dict() for row in body.states],
        by=request.user,
    )
    return {"readings": _rows(reading_results), "states": _rows(state_results)}
