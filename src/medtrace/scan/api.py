from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from medtrace.core.api import error_responses
from medtrace.scan import ScanError, parse

router = Router(tags=["scan"])


class ScanOut(Schema):
    scheme: str
    symbology: str | None
    gtin: str | None
    lot: str | None
    serial: str | None
    expiry: str | None
    production_date: str | None
    sscc: str | None
    count: int | None
    ais: dict[str, str]
    digital_link: str | None
    lic: str | None
    pcn: str | None
    uom: str | None
    device_identifier: str | None
    text: str | None
    warnings: list[str]


class ScanErrorDetail(Schema):
    code: str
    message: str
    ai: str | None = Field(
        None,
        description="The Application Identifier the rule is about; absent when the "
        "request itself is not valid (no `code`)",
    )
    details: dict = {}


class ScanErrorBody(Schema):
    error: ScanErrorDetail


@router.get("", response={200: ScanOut, 422: ScanErrorBody, **error_responses(401)})
def scan(request, code: Query[list[str]]):
    """Parse the codes read from one label (repeat `code` for several symbols): GS1 element
    strings or (AI) text, GS1 Digital Link, EPC URN, HIBC, MA, or an internal number."""
    try:
        return parse(code).as_dict()
    except ScanError as error:
        body = error.as_dict()
        body["error"]["details"] = {}
        return Status(422, body)
