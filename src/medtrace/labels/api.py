"""Labels over the REST API, mounted at /api/v1/labels: each answers the label as a PDF, or the
common error body naming the rule that refused it."""

from datetime import date

from ninja import Field, Router, Schema

from medtrace.catalog import selectors
from medtrace.core.api import WRITE_ERRORS, require_perm
from medtrace.core.pdf import pdf_response
from medtrace.labels import services

router = Router(tags=["labels"])

PDF = {
    "responses": {
        200: {
            "description": "The label, one page of PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class DeviceLabelIn(Schema):
    device_identifier: str = Field(
        ..., description="The DI's value in any form its agency accepts (GTIN-13 or -14, +HIBC)"
    )
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = Field(None, description="Use-by date, YYYY-MM-DD")
    production_date: date | None = Field(None, description="Date of manufacture, YYYY-MM-DD")


class CaseContentIn(Schema):
    gtin: str
    lot: str = ""
    count: int = Field(..., ge=1)


class SsccLabelIn(Schema):
    sscc: str = Field(..., description="18 digits with the check digit")
    contents: list[CaseContentIn] = []
    ship_from: str = ""
    ship_to: str = ""


@router.post("/device", response=WRITE_ERRORS, openapi_extra=PDF)
def device_label(request, payload: DeviceLabelIn):
    """The label of one packaging level for a lot or serial: GS1 DataMatrix (HIBC Data Matrix
    for an HIBCC DI) with HRI, device name, registration number and ISO 15223-1 symbol texts.
    Give exactly the production identifiers the DI's record says its label carries."""
    identifier = selectors.get_device_identifier_or_404(request.user, payload.device_identifier)
    require_perm(request, services.PRINT_PERMISSION)
    values = payload.dict(exclude={"device_identifier"})
    pdf = services.device_label_pdf(identifier=identifier, by=request.user, **values)
    return pdf_response(
        pdf, services.label_filename("label", identifier.value, payload.lot, payload.serial)
    )


@router.post("/sscc", response=WRITE_ERRORS, openapi_extra=PDF)
def sscc_label(request, payload: SsccLabelIn):
    """A GS1 logistic label (A6) with the SSCC as GS1-128; for one trade item and lot, also
    (02) GTIN, (37) count and (10) lot as a second GS1-128."""
    require_perm(request, services.PRINT_PERMISSION)
    pdf = services.sscc_label_pdf(
        sscc=payload.sscc,
        contents=[
            services.CaseContent(gtin=line.gtin, lot=line.lot, count=line.count)
            for line in payload.contents
        ],
        ship_from=payload.ship_from,
        ship_to=payload.ship_to,
        by=request.user,
    )
    return pdf_response(pdf, services.label_filename("sscc", payload.sscc))
