"""What the complaints API takes: the bodies and filters of its operations (quality.complaint_api
answers with them), checked by the same services as the pages."""

from datetime import date, time
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from medtrace.quality.choices import (
    ComplaintChannel,
    ComplaintStatus,
    EventOutcome,
    MarketRegion,
    PatientSex,
    Severity,
)
from medtrace.quality.imdrf import DeviceProblem

# Taken as text and checked by the service, so that an unknown code is refused naming the
# IMDRF annex as on the pages; the schema still lists the codes.
ProblemCode = Annotated[
    str,
    WithJsonSchema({"type": "string", "enum": ["", *DeviceProblem.values]}),
]
PROBLEM_CODE = "IMDRF Annex A level-1 device problem code; empty: not coded yet"


class ComplaintIn(Schema):
    site: str = Field(..., description="Site code")
    channel: ComplaintChannel
    description: str
    problem_code: ProblemCode = Field("", description=PROBLEM_CODE)
    aware_on: date = Field(..., description="The day we learned of it: day 0 of the clocks")
    aware_time: time | None = Field(None, description="In the site's time zone")
    event_date: date | None = None
    code: str = Field("", description="The device as scanned or typed: a UDI, lot or serial")
    item_id: int | None = Field(None, description="When no lot or serial is known")
    customer_id: int | None = Field(None, description="Default: where the device was shipped")
    complainant_name: str = ""
    complainant_contact: str = ""
    outcomes: list[EventOutcome] = []
    regions: list[MarketRegion] = []
    remedial_action_needed: bool = False
    occurred_outside_china: bool = False
    expected_side_effect: bool = False
    patient_involved: bool = False
    patient_age: int | None = Field(None, ge=0, le=150)
    patient_sex: PatientSex | None = None
    patient_initials: str = ""
    injury_description: str = ""


class ComplaintPatch(Schema):
    reason: str = Field(..., description="Why: a complaint is a quality record")
    channel: ComplaintChannel | None = None
    description: str | None = None
    problem_code: ProblemCode | None = Field(None, description=PROBLEM_CODE)
    aware_on: date | None = None
    aware_time: time | None = None
    event_date: date | None = None
    code: str | None = Field(None, description="A new device, as scanned or typed")
    item_id: int | None = None
    customer_id: int | None = None
    complainant_name: str | None = None
    complainant_contact: str | None = None
    outcomes: list[EventOutcome] | None = None
    regions: list[MarketRegion] | None = None
    remedial_action_needed: bool | None = None
    occurred_outside_china: bool | None = None
    expected_side_effect: bool | None = None
    patient_involved: bool | None = None
    patient_age: int | None = Field(None, ge=0, le=150)
    patient_sex: PatientSex | None = None
    patient_initials: str | None = None
    injury_description: str | None = None
    investigation: str | None = None
    root_cause: str | None = None
    closure_letter: str | None = None


class ComplaintQuery(Schema):
    site: str | None = Field(None, description="Site code")
    status: ComplaintStatus | None = None
    channel: ComplaintChannel | None = None
    problem_code: DeviceProblem | None = Field(None, description="IMDRF Annex A level-1 code")
    reportable: bool | None = None
    item_id: int | None = Field(None, description="The device's item")
    lot_id: int | None = None
    unit_id: int | None = None
    aware_from: date | None = Field(None, description="Awareness date on or after")
    aware_to: date | None = Field(None, description="Awareness date on or before")
    counted: bool | None = Field(
        None, description="Only those complaint trends count (not cancelled)"
    )
    open: bool | None = Field(None, description="Only complaints not closed or cancelled")
    overdue: bool | None = Field(None, description="Only those with a report past due")


class ComplaintDecisionIn(Schema):
    reportable: bool
    justification: str


class ComplaintActionIn(Schema):
    password: str = Field("", description="For actions needing a signature: entered now")
    reason: str = ""


class ReportIn(Schema):
    region: MarketRegion


class LinkIn(Schema):
    nonconformance_id: int | None = None
    capa_id: int | None = None
    reason: str = ""


class ComplaintNcrIn(Schema):
    title: str
    severity: Severity
    hold: bool = Field(False, description="Hold the lot's remaining stock")
