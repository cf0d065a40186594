"""Printing labels: a device label per packaging level for a lot or serial (GS1 DataMatrix, or
HIBC Data Matrix for HIBCC DIs, with the device's name, registration certificate number and
ISO 15223-1 symbol texts), and an SSCC case label (GS1-128).

Before anything is drawn, the barcode data is built and read back with the scan parser, the
same one that reads labels at receiving: a value a scanner would refuse is never printed, and
the refusal names the parser's rule. The PDF is rendered outside any transaction (slow I/O);
the print is then recorded in the audit trail in a transaction of its own, so a label that
failed to render leaves no trace and every label handed out has one.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.pdf import render_pdf
from medtrace.labels import marks, symbols
from medtrace.org import access
from medtrace.scan import ScanError, parse
from medtrace.scan.checks import HIBC_CHARSET, gtin14, hibc_check_character
from medtrace.trace.models import Lot, Unit

# Printing a label reads the DI's master data and is audited: whoever may read the device
# identifier may print its label, as with other printouts of a record. Controlled label
# issuance at packing (21 CFR 820.120) would get a permission of its own with that operation.
PRINT_PERMISSION = "catalog.view_deviceidentifier"
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

# The production identifiers (UDI-PI) a label may carry, as the form fields name them.
PI_FIELDS = ("lot", "serial", "expiry", "production_date")
GS1_AI_FIELDS = {"10": "lot", "21": "serial", "17": "expiry", "11": "production_date"}
MAX_COUNT = 99_999_999  # AI (37): up to 8 digits
LOGISTIC_WIDTH_MM = 95.0  # an A6 (105 mm wide) logistic label less its margins

DEVICE_TEMPLATE = "labels/device_label_pdf.html"
SSCC_TEMPLATE = "labels/sscc_label_pdf.html"


def _refuse(code: ErrorCode, message, field_name: str | None = None):
    details = {"fields": {field_name: [str(message)]}} if field_name else {}
    raise DomainError(code, message, **details)


@dataclass(frozen=True)
class LabelData:
    """What one device label encodes: the symbol and the values read back from its data."""

    symbol: symbols.Symbol
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    production_date: date | None = None


def label_filename(*parts: str | None) -> str:
    """A PDF's name from the label's identifiers, without characters a header would mind."""
    name = "-".join(part for part in parts if part)
    return UNSAFE_IN_FILENAME.sub("_", name)[:120] + ".pdf"


def unavailable_reason(identifier: DeviceIdentifier) -> tuple[ErrorCode, str] | None:
    """Why medtrace prints no label for this DI, or None when it does."""
    if identifier.issuing_agency == IssuingAgency.MA:
        return ErrorCode.VALIDATION, _(
            "Labels of MA (IDcode) device identifiers are printed by the MA issuing system: "
            "the MA check character is computed by a proprietary algorithm, so medtrace cannot "
            "make a valid MA code."
        )
    if identifier.issuing_agency == IssuingAgency.ICCBBA:
        return ErrorCode.VALIDATION, _(
            "ISBT 128 (ICCBBA) labels are printed by ICCBBA-licensed labelling software; "
            "medtrace prints GS1 and HIBC labels."
        )
    if not identifier.is_active:
        return ErrorCode.INVALID_STATE, _(
            "Device identifier %(value)s is retired: no new labels are printed for it."
        ) % {"value": identifier.value}
    if not identifier.item.is_active:
        return ErrorCode.INVALID_STATE, _("Item %(code)s is inactive.") % {
            "code": identifier.item.code
        }
    return None


def fields_on_label(identifier: DeviceIdentifier) -> list[str]:
    """The production identifiers (PI_FIELDS) the DI's record says its label carries."""
    flags = {
        "lot": identifier.label_has_lot,
        "serial": identifier.label_has_serial,
        "expiry": identifier.label_has_expiry,
        "production_date": identifier.label_has_manufacturing_date,
    }
    return [name for name in PI_FIELDS if flags[name]]


def device_label_pdf(
    *,
    identifier: DeviceIdentifier,
    lot: str | None = None,
    serial: str | None = None,
    expiry: date | str | None = None,
    production_date: date | str | None = None,
    by,
    site_id: int | None = None,
) -> bytes:
    """The label of `identifier`'s package for one lot or serial, as a one-page PDF; the print
    is recorded (AuditAction.EXPORT on the DI) with what the label carries, filed at `site_id`
    (a work order's site), by default at the site of the lot or serial it names."""
    unavailable = unavailable_reason(identifier)
    if unavailable is not None:
        _refuse(*unavailable)
    values = _production_identifiers(
        identifier,
        lot=lot,
        serial=serial,
        expiry=_as_date(expiry, "expiry"),
        production_date=_as_date(production_date, "production_date"),
    )
    if identifier.issuing_agency == IssuingAgency.GS1:
        label = _gs1_label(identifier, **values)
    else:
        label = _hibc_label(identifier, **values)
    context = _device_context(identifier, label)
    pdf = render_pdf(DEVICE_TEMPLATE, context, request=None)
    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT,
            identifier,
            by=by,
            site_id=site_id or filing_site(by, identifier.item_id, values["lot"], values["serial"]),
            changes={
                "format": "pdf",
                "label": "device",
                "data": "".join(label.symbol.hri),
                "packaging_level": identifier.packaging_level,
                **{name: values[name] for name in PI_FIELDS if values[name] is not None},
                "bytes": len(pdf),
            },
        )
    return pdf


def filing_site(by, item_id: int | None = None, lot=None, serial=None) -> int | None:
    """Where a print's audit entry is filed. A label carries a lot or serial, which is one
    site's record: filed with the organization (the device identifier's owner), the entry showed
    that lot in every site's audit log. So: the site of the lot or unit it names, among the
    printer's sites; else the printer's own site; with the organization only for a person
    printing at several sites a lot the system does not know."""
    sites = access.site_ids_with_perm(by, PRINT_PERMISSION)
    named = Lot.objects.none()
    if item_id is not None and serial:
        named = Unit.objects.filter(item_id=item_id, serial=serial)
    elif item_id is not None and lot:
        named = Lot.objects.filter(item_id=item_id, lot_number=lot)
    found = named.filter(site_id__in=sites).values_list("site_id", flat=True).first()
    if found is not None:
        return found
    return next(iter(sites)) if len(sites) == 1 else None


def _as_date(value, field_name: str) -> date | None:
    """A date given as a date or as ISO text ("2027-01-31"); anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        _refuse(
            ErrorCode.VALIDATION,
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
            field_name,
        )


def _production_identifiers(identifier, **given) -> dict:
    """The PIs, stripped; those the DI's record puts on its label are required, the others
    refused (the label must match what the UDI database says it carries)."""
    values = {
        name: (value.strip() or None) if isinstance(value, str) else value
        for name, value in given.items()
    }
    on_label = fields_on_label(identifier)
    names = dict(zip(PI_FIELDS, _pi_names(), strict=True))
    for name in PI_FIELDS:
        if name in on_label and values[name] is None:
            _refuse(
                ErrorCode.VALIDATION,
                _("The label of %(di)s carries the %(name)s: give it.")
                % {"di": identifier.value, "name": names[name]},
                name,
            )
        if name not in on_label and values[name] is not None:
            _refuse(
                ErrorCode.VALIDATION,
                _(
                    "The label of %(di)s does not carry the %(name)s (see the device "
                    "identifier's record); leave it out."
                )
                % {"di": identifier.value, "name": names[name]},
                name,
            )
    expiry, made = values["expiry"], values["production_date"]
    if expiry and made and expiry < made:
        _refuse(
            ErrorCode.VALIDATION, _("The expiry date is before the manufacturing date."), "expiry"
        )
    return values


def _pi_names():
    return (_("lot"), _("serial number"), _("expiry date"), _("manufacturing date"))


def _gs1_pairs(gtin: str, *, lot, serial, expiry, production_date) -> list[tuple[str, str]]:
    """The UDI's elements in the order of GS1's healthcare guideline: the GTIN, the dates
    (predefined length, no separator), then lot and serial."""
    pairs = [("01", gtin)]
    if production_date:
        pairs.append(("11", production_date.strftime("%y%m%d")))
    if expiry:
        pairs.append(("17", expiry.strftime("%y%m%d")))
    if lot:
        pairs.append(("10", lot))
    if serial:
        pairs.append(("21", serial))
    return pairs


def _gs1_label(identifier, *, lot, serial, expiry, production_date) -> LabelData:
    pairs = _gs1_pairs(
        identifier.value, lot=lot, serial=serial, expiry=expiry, production_date=production_date
    )
    read = _read_back("]d2" + symbols.element_string(pairs), GS1_AI_FIELDS.get)
    _check_read_back(
        read,
        gtin=identifier.value,
        lot=lot,
        serial=serial,
        expiry=expiry,
        production_date=production_date,
    )
    symbol = _symbol(symbols.gs1_datamatrix, pairs)
    return LabelData(symbol, lot, serial, expiry, production_date)


def hibc_data(value: str, *, lot, serial, expiry, production_date) -> str:
    """HIBC LIC primary and secondary data concatenated in one symbol, without the check
    character (ANSI/HIBC 2.6): "+" LIC PCN U "/" then "$$3" YYMMDD lot (or "$" lot without an
    expiry, "$$+3"/"$+" for a serial alone), "/S" serial beside a lot, "/16D" YYYYMMDD for the
    date of manufacture."""
    fields = []
    if lot:
        fields.append(f"$$3{expiry:%y%m%d}{lot}" if expiry else f"${lot}")
        if serial:
            fields.append(f"S{serial}")
    elif serial:
        fields.append(f"$$+3{expiry:%y%m%d}{serial}" if expiry else f"$+{serial}")
    elif expiry:
        fields.append(f"$$3{expiry:%y%m%d}")
    if production_date:
        fields.append(f"16D{production_date:%Y%m%d}")
    return "+" + value + ("/" + "/".join(fields) if fields else "")


def _hibc_label(identifier, *, lot, serial, expiry, production_date) -> LabelData:
    data = hibc_data(
        identifier.value, lot=lot, serial=serial, expiry=expiry, production_date=production_date
    )
    # No check character can be computed over a character HIBC does not have: the parser then
    # refuses that character, and the refusal goes to the field holding it.
    valid = set(data) <= set(HIBC_CHARSET)
    check = hibc_check_character(data) if valid else ""

    def field_of(name):
        if name in PI_FIELDS:  # the HIBC parser names fields as the form does
            return name
        given = {"lot": lot, "serial": serial}
        return next((f for f, v in given.items() if v and not set(v) <= set(HIBC_CHARSET)), None)

    read = _read_back("]d1" + data + check, field_of)
    _check_read_back(
        read,
        device_identifier="+" + identifier.value,
        lot=lot,
        serial=serial,
        expiry=expiry,
        production_date=production_date,
    )
    symbol = _symbol(symbols.hibc_datamatrix, data)
    return LabelData(symbol, lot, serial, expiry, production_date)


def _read_back(code, field_of, *more_codes):
    """The scan parser's reading of the data; its refusal, with its message, if it refuses."""
    try:
        return parse([code, *more_codes])
    except ScanError as error:
        _refuse(ErrorCode.VALIDATION, error.message, field_of(error.ai))


def _check_read_back(read, **expected) -> None:
    """Each value as a scanner would read it back. A date can differ only when its two-digit
    year falls outside GS1's window of 49 years back and 50 ahead."""
    names = dict(zip(PI_FIELDS, _pi_names(), strict=True))
    for name, value in expected.items():
        if getattr(read, name) != value:
            _refuse(
                ErrorCode.VALIDATION,
                _("The %(name)s %(value)s cannot be encoded so that it reads back the same.")
                % {"name": names.get(name, _("device identifier")), "value": value},
                name if name in PI_FIELDS else None,
            )


def _symbol(make, data):
    try:
        return make(data)
    except symbols.SymbolError as error:
        _refuse(
            ErrorCode.VALIDATION,
            _("The barcode could not be made: %(reason)s") % {"reason": str(error)},
        )


def _units_in(identifier) -> int:
    """How many base units the package holds, down the packaging tree."""
    units, level = 1, identifier
    while level.contains_id is not None:
        units *= level.quantity_per_package
        level = level.contains
    return units


def _device_context(identifier: DeviceIdentifier, label: LabelData) -> dict:
    return {
        "identifier": identifier,
        "item": identifier.item,
        "organization": identifier.organization,
        # Safe: the SVG is built from numbers, its only text (the HRI) escaped.
        "symbol": mark_safe(  # nosec B308 B703 # SVG of numbers, its text escaped
            label.symbol.svg(x_mm=symbols.DATAMATRIX_X_MM)
        ),
        "hri": label.symbol.hri,
        "label": label,
        "units": _units_in(identifier),
        "marks": marks.device_marks(identifier),
        "iso": marks,
    }


# ---- SSCC case label -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseContent:
    """One line of what a logistic unit holds: the trade item's GTIN, its lot, how many."""

    gtin: str
    lot: str = ""
    count: int = 1
    description: str = field(default="", compare=False)


def sscc_label_pdf(
    *,
    sscc: str,
    contents: list[CaseContent | tuple] | None = None,
    ship_from: str = "",
    ship_to: str = "",
    by,
) -> bytes:
    """A GS1 logistic label for the SSCC: its GS1-128 and, for a unit holding one trade item
    and lot, a second GS1-128 with (02) content, (37) count and (10) lot (GS1 GenSpecs
    2.2.1: (02) only on a homogeneous logistic unit); several lines are listed as text."""
    sscc = _sscc(sscc)
    sscc_code = "]C1" + symbols.element_string([("00", sscc)])
    _read_back(sscc_code, lambda _ai: "sscc")
    lines = [_content(line, by) for line in (contents or [])]
    for line in lines:
        content_code = "]C1" + symbols.element_string(_content_pairs(line))
        _read_back(sscc_code, lambda _ai: "contents", content_code)
    sscc_symbol = _symbol(symbols.gs1_128, [("00", sscc)])
    content_symbol = _symbol(symbols.gs1_128, _content_pairs(lines[0])) if len(lines) == 1 else None
    context = {
        "sscc": sscc,
        "sscc_symbol": _logistic_svg(sscc_symbol),
        "sscc_hri": sscc_symbol.hri,
        "content_symbol": _logistic_svg(content_symbol) if content_symbol else "",
        "content_hri": content_symbol.hri if content_symbol else (),
        "contents": lines,
        "ship_from": ship_from.strip(),
        "ship_to": ship_to.strip(),
        "organization": getattr(by, "organization", None),
    }
    pdf = render_pdf(SSCC_TEMPLATE, context, request=None)
    # No record holds the SSCC yet (containers come with the trace app), but the label is still
    # audited: an SSCC is an identity handed out to the supply chain, so who printed which SSCC
    # with which contents, and every reprint, must be answerable. The entry is filed under the
    # printer's organization as "labels.sscc" with the SSCC as its id.
    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT,
            by=by,
            object_type="labels.sscc",
            object_id=sscc,
            object_repr=f"SSCC {sscc}",
            site_id=filing_site(by),
            organization_id=getattr(by, "organization_id", None),
            changes={
                "format": "pdf",
                "label": "sscc",
                "data": "".join(sscc_symbol.hri),
                "contents": [[line.gtin, line.lot, line.count] for line in lines],
                "ship_from": ship_from.strip(),
                "ship_to": ship_to.strip(),
                "bytes": len(pdf),
            },
        )
    return pdf


def _sscc(text: str) -> str:
    """The SSCC as typed: spaces dropped, a leading "(00)" allowed."""
    value = "".join((text or "").split())
    if value.startswith("(00)"):
        value = value[4:]
    if not value:
        _refuse(ErrorCode.VALIDATION, _("Enter the SSCC."), "sscc")
    return value


def _content(line, by) -> CaseContent:
    if not isinstance(line, CaseContent):
        line = CaseContent(*line)
    gtin = "".join(str(line.gtin).split())
    if gtin.isdigit() and len(gtin) in (8, 12, 13):
        gtin = gtin14(gtin)
    lot = (line.lot or "").strip()
    try:
        count = int(line.count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_COUNT:
        _refuse(
            ErrorCode.VALIDATION,
            _("The count of %(gtin)s must be a whole number from 1 to 99999999.") % {"gtin": gtin},
            "contents",
        )
    known = (
        DeviceIdentifier.objects.filter(organization_id=getattr(by, "organization_id", None))
        .filter(value=gtin)
        .select_related("item")
        .first()
    )
    description = line.description or (str(known.item) if known else "")
    return CaseContent(gtin=gtin, lot=lot, count=count, description=description)


def _content_pairs(line: CaseContent) -> list[tuple[str, str]]:
    pairs = [("02", line.gtin), ("37", str(line.count))]
    if line.lot:
        pairs.append(("10", line.lot))
    return pairs


def _logistic_svg(symbol: symbols.Symbol) -> str:
    """The GS1-128 at the logistic X-dimension, narrower only when it would not fit."""
    x_mm = min(symbols.LOGISTIC_X_MM, LOGISTIC_WIDTH_MM / symbol.columns)
    svg = symbol.svg(x_mm=x_mm, height_mm=symbols.LOGISTIC_BAR_HEIGHT_MM)
    return mark_safe(svg)  # nosec B308 B703 # built from numbers, its only text escaped
