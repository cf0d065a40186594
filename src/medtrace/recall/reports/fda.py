"""The report of a correction or removal to FDA, 21 CFR 806.10: each element 806.10(c)(1) to (13)
asks for, filled from the recall, in English (the labels paraphrase the regulation and are not
translated). What medtrace does not hold (FDA registration and premarket numbers, telephone
numbers, intended use…) prints as not recorded and is listed again under (c)(13), the statement
of what is not yet available, for the firm to complete before it submits."""

from zoneinfo import ZoneInfo

from medtrace.quality.choices import EventOutcome, MarketRegion
from medtrace.quality.complaint_selectors import may_view_patient
from medtrace.recall.choices import RecallClass, RecallStatus
from medtrace.recall.models import Recall

from .common import (
    Row,
    Section,
    Table,
    address,
    catalog_numbers,
    consignee_address,
    copies,
    dates_between,
    di_values,
    expiry_dates,
    joined,
    local,
    local_day,
    lot_label,
    lot_numbers,
    manufacture_dates,
    missing_labels,
    models,
    product_lots,
    quantity,
    serial_text,
    serialized,
)
from .data import ReportData

RULE = "21 CFR 806.10 — Reports of corrections and removals"
CLASS = {RecallClass.I: "Class I", RecallClass.II: "Class II", RecallClass.III: "Class III"}
STRATEGY = {
    "removal": "Removal: the affected devices are returned to the manufacturer",
    "correction": "Correction: the affected devices are inspected, repaired or replaced where "
    "they are",
    "notice": "Correction by field safety notice: users are told how to use or handle the "
    "affected devices",
}
DEPTH = {
    "wholesale": "wholesale (distributors)",
    "retail": "retail",
    "user": "user level (hospitals, clinics)",
    "consumer": "consumer (patients)",
}
STATUS = {
    RecallStatus.DRAFT: "draft: the recall decision is not yet approved",
    RecallStatus.APPROVED: "approved and in progress",
    RecallStatus.CLOSED: "completed (closed)",
    RecallStatus.CANCELLED: "cancelled",
}
MORE_SERIALS = "and %(n)s more"
PATIENT_WITHHELD = "withheld: the reader's roles do not allow printing the patient's details"


def report_type(recall: Recall) -> str:
    return "R" if recall.strategy == "removal" else "C"


def report_number(recall: Recall, data: ReportData) -> str:
    """806.10(c)(1): registration number (seven zeros without one), date, sequence, C or R.
    The sequence counts this organization's FDA-classified recalls (drills apart) up to this
    one: one report each."""
    sequence = (
        Recall.objects.filter(
            organization_id=recall.organization_id,
            drill=recall.drill,
            opened_at__lte=recall.opened_at,
        )
        .exclude(fda_class="")
        .count()
    )
    today = data.today
    return (
        f"0000000-{today.month}/{today.day}/{today:%y}-{max(sequence, 1):03d}-{report_type(recall)}"
    )


def _injuries(recall: Recall, data: ReportData, by) -> tuple[str, bool]:
    """(illness or injuries from the linked complaint, whether the patient's details are in
    it)."""
    complaint = recall.complaint
    if complaint is None:
        return "", False
    outcomes = "; ".join(str(EventOutcome(value).label) for value in sorted(complaint.outcomes))
    parts = [f"Complaint {complaint.number}" + (f": {outcomes}" if outcomes else "")]
    shown = False
    if complaint.patient_involved and complaint.injury_description:
        if may_view_patient(by, complaint):
            parts.append(f"Injury: {complaint.injury_description}")
            shown = True
        else:
            parts.append(f"Injury: {PATIENT_WITHHELD}")
    mdr = [number for number in data.complaint_reports if f"-{MarketRegion.FDA.upper()}-" in number]
    if mdr:
        parts.append("MDR report drafts: " + ", ".join(mdr))
    return "\n".join(parts), shown


def actions(recall: Recall, data: ReportData) -> str:
    notices = data.notices
    lines = [
        f"{STRATEGY.get(recall.strategy, '')}, to {DEPTH.get(recall.depth, '')} level.",
        f"Status: {STATUS[RecallStatus(recall.status)]}.",
    ]
    if recall.drill:
        lines.append("DRILL (mock recall): no stock was held.")
    elif recall.status in (RecallStatus.APPROVED, RecallStatus.CLOSED):
        lines.append(
            "On approval every affected lot and unit in the manufacturer's stock was put on "
            "status recalled: it cannot be shipped or consumed."
        )
    if notices.total:
        lines.append(
            f"Recall notices: {notices.total} ({notices.sent} sent, "
            f"{notices.acknowledged} acknowledged by the consignee), each listing the "
            "consignee's own lots, serial numbers and quantities, with a signed acknowledgement "
            "link to report the quantities on hand, used and to return."
        )
    return "\n".join(lines)


def lots_table(data: ReportData) -> Table:
    return Table(
        ["Catalog #", "Device", "Lot", "Manufactured", "Distributed", "In our stock",
         "In production", "Unit"],
        [
            [row.item.code, row.item.display_name, lot_label(row),
             quantity(row.manufactured) or "not recorded", quantity(row.distributed),
             quantity(row.stock), quantity(row.wip), row.uom]
            for row in data.lots
        ],
        "No lot in scope.",
    )  # fmt: skip


def consignees_table(data: ReportData) -> Table:
    zone = data.site.time_zone
    rows = [
        [
            consignee.name,
            consignee_address(consignee) or "not recorded",
            joined((consignee.contact, consignee.email), ", ") or "not recorded",
            f"{shipped.item.code} lot {lot_label(shipped)}"
            + (f" (SN {serial_text(shipped.serials, MORE_SERIALS)})" if shipped.serials.total
               else ""),
            dates_between(shipped.first_shipped, shipped.last_shipped, zone),
            quantity(shipped.quantity, shipped.uom),
        ]
        for consignee in data.consignees
        for shipped in consignee.lots
    ]  # fmt: skip
    return Table(
        ["Consignee", "Address", "Telephone / contact / e-mail", "Device and lot",
         "Date(s) distributed", "Number distributed"],
        rows,
        "None of the affected devices was distributed.",
    )  # fmt: skip


def report(data: ReportData, *, by) -> dict:
    recall, site, organization = data.recall, data.site, data.organization
    zone = site.time_zone
    lots = product_lots(data)
    number = report_number(recall, data)
    injuries, patient_data = _injuries(recall, data, by)
    manufacturer = organization.name_en or organization.name
    distributed = joined(
        (f"{quantity(row.distributed, row.uom)} of lot {lot_label(row)}"
         for row in lots if row.distributed),
        "; ",
    )  # fmt: skip
    made = joined(
        (f"{quantity(row.manufactured, row.uom)} in lot {lot_label(row)}"
         for row in lots if row.manufactured is not None),
        "; ",
    )  # fmt: skip
    distribution_dates = joined(
        (f"lot {lot_label(row)}: {dates_between(row.first_shipped, row.last_shipped, zone)}"
         for row in lots if row.first_shipped),
        "; ",
    )  # fmt: skip
    sections = [
        Section("(c)(1) Report number", [
            Row("Report number", number),
            Row("FDA establishment registration number", ""),
            Row("Date of this report", data.today.isoformat()),
            Row("Report type", "R (removal)" if report_type(recall) == "R"
                else "C (correction)"),
        ], text="Without a registration number the number starts with seven zeros "
                 "(806.10(c)(1)); replace them with the firm's number if it has one."),
        Section("(c)(2) Manufacturer and the person responsible for the action", [
            Row("Manufacturer name", manufacturer),
            Row("Address", address(site)),
            Row("Telephone", ""),
            Row("Person responsible for the correction or removal",
                recall.opened_by.printed_name),
            Row("Title", ""),
            Row("E-mail", recall.opened_by.email),
            Row("Person submitting this report", joined((by.printed_name, by.email), ", ")),
        ]),
        Section("(c)(3) Device", [
            Row("Brand name", di_values(data, "brand")),
            Row("Common or usual name", joined(
                device.item.name_en or device.item.name for device in data.products)),
            Row("Classification name", ""),
            Row("Intended use", ""),
        ]),
        Section("(c)(4) Marketing status", [
            Row("Premarket notification (510(k)) / approval (PMA) number, or exemption", ""),
            Row("Device class", di_values(data, "risk_class_us")),
            Row("FDA product code", ""),
            Row("Device listing number", ""),
        ]),
        Section("(c)(5) Identification", [
            Row("Device identifier (UDI-DI)", di_values(data, "value")),
            Row("Model", models(data)),
            Row("Catalog numbers", catalog_numbers(data)),
            Row("Lot numbers", lot_numbers(data, lots)),
            Row("Serial numbers", joined(
                (f"lot {lot_label(row)}: {serial_text(row.serials, MORE_SERIALS)}"
                 for row in lots if row.serials.total), "; ")
                if serialized(data) else "not applicable (tracked by lot)"),
            Row("Production identifiers (UDI)", joined(
                (row.lot.identifier for row in lots if row.lot), "\n")),
        ]),
        Section("(c)(6) Manufacturer, if different from (c)(2)", [
            Row("Manufacturer", "Same as (c)(2)"),
        ]),
        Section("(c)(7) Event and actions", [
            Row("Recall", f"{recall.number} — {recall.title}"),
            Row("FDA recall class", CLASS.get(recall.fda_class, "")),
            Row("Description of the event", recall.reason),
            Row("Health hazard evaluation", recall.hazard),
            Row("Actions taken and expected", actions(recall, data)),
            Row("Decision (approval)", local(recall.approved_at, zone)
                or STATUS[RecallStatus(recall.status)]),
        ]),
        Section("(c)(8) Illness or injuries", [
            Row("Illness or injuries with use of the device; MDR numbers", injuries),
        ]),
        Section("(c)(9) Devices subject to the correction or removal", [
            Row("Distributed", distributed or "none distributed"),
            Row("Manufactured (lots made by the firm)", made),
        ], tables=[lots_table(data)]),
        Section("(c)(10) Dates", [
            Row("Date(s) of manufacture", manufacture_dates(lots)),
            Row("Date(s) of distribution", distribution_dates),
            Row("Expiration date", expiry_dates(lots)),
        ]),
        Section("(c)(11) Consignees", [
            Row("Number of consignees", str(len(data.consignees))),
        ], tables=[consignees_table(data)]),
    ]  # fmt: skip
    missing = missing_labels(sections)
    return {
        "title": "Report of a correction or removal (21 CFR 806.10)",
        "rule": RULE,
        "number": number,
        "sections": sections,
        "copies": copies(data.notices.copies),
        "others": data.notices.others,
        "missing_fields": missing,
        "deadlines": data.deadlines_of("FDA"),
        "patient_data": patient_data,
        "started": local_day(recall.approved_at, zone),
        "zone": ZoneInfo(zone),
    }
