"""The EU documents of a field safety corrective action (Regulation (EU) 2017/745, Art. 87(1)(b),
89(8)): the field safety notice to the users (FSN: affected devices, reason and risk, the
actions the user must take, transmission of the notice, contact) and the manufacturer's FSCA
report to the competent authority, laid out after the Commission's FSN and FSCA report
templates (MDCG). In English; the labels are the templates' words and are not translated."""

from medtrace.recall.choices import RecallStatus

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
    joined,
    local,
    lot_label,
    models,
    product_lots,
    product_names,
    quantity,
    serial_text,
)
from .data import ReportData
from .fda import DEPTH, STATUS

RULE = "Regulation (EU) 2017/745 (MDR) Art. 87(1)(b), Art. 89(8)"
MORE_SERIALS = "and %(n)s more"
# What the user is asked to do, and what the manufacturer does, per strategy.
USER_ACTIONS = {
    "removal": [
        "Identify the affected devices in your stock and at your points of use (the lots and "
        "serial numbers below).",
        "Stop using them and quarantine them.",
        "Return them to the manufacturer.",
        "Confirm receipt of this notice and report the quantities you have on hand, have "
        "already used and will return.",
    ],
    "correction": [
        "Identify the affected devices (the lots and serial numbers below).",
        "Quarantine them until the manufacturer has inspected or corrected them on site.",
        "Confirm receipt of this notice and report the quantities you have on hand and have "
        "already used.",
    ],
    "notice": [
        "Identify the affected devices (the lots and serial numbers below).",
        "Take note of this notice and follow it when using them.",
        "Confirm receipt of this notice.",
    ],
}
MANUFACTURER_ACTION = {
    "removal": "Product removal",
    "correction": "On-site device modification / inspection",
    "notice": "Field safety notice to the users",
}
TRANSMISSION = (
    "This notice needs to be passed on to all those who need to be aware of it within your "
    "organisation and to any organisation to which the potentially affected devices have been "
    "transferred. Please keep this notice until the action is completed."
)


def lot_ranges(data: ReportData) -> str:
    return joined(
        (
            f"{row.item.code} lot {lot_label(row)}"
            + (f": SN {serial_text(row.serials, MORE_SERIALS)}" if row.serials.total else "")
            for row in product_lots(data)
        ),
        "\n",
    )


def devices_table(data: ReportData) -> Table:
    by_item = {device.item.pk: device for device in data.devices}
    rows = []
    for row in product_lots(data):
        di = by_item[row.item.pk].di
        rows.append([
            row.item.display_name, di.value if di else "not recorded",
            (di.model_number if di and di.model_number else row.item.code),
            lot_label(row), serial_text(row.serials, MORE_SERIALS) or "—",
            row.lot.expires_on.isoformat() if row.lot and row.lot.expires_on else "—",
        ])  # fmt: skip
    return Table(
        ["Commercial name", "UDI-DI", "Model / catalogue #", "Lot", "Serial numbers", "Expiry"],
        rows,
        "No affected device.",
    )


def _contact(data: ReportData) -> str:
    owner = data.recall.opened_by
    return joined((owner.printed_name, owner.email), ", ")


def _manufacturer(data: ReportData) -> str:
    organization, site = data.organization, data.site
    return joined((organization.name_en or organization.name, address(site)), ", ")


def _reply(recall) -> str:
    if recall.strategy == "notice":
        return "Yes: confirm receipt through the acknowledgement link in your copy of this notice."
    return (
        "Yes: confirm receipt and report the quantities through the acknowledgement link in "
        "your copy of this notice."
    )


def fsn(data: ReportData, *, by) -> dict:
    recall = data.recall
    sections = [
        Section("1. Information on affected devices", [
            Row("1.1 Device type", product_names(data)),
            Row("1.2 Commercial name(s)", di_values(data, "brand")),
            Row("1.3 Unique device identifier(s) (UDI-DI)", di_values(data, "value")),
            Row("1.4 Primary clinical purpose of the device(s)", ""),
            Row("1.5 Device model / catalogue / part number(s)",
                joined((models(data), catalog_numbers(data)), "; ")),
            Row("1.6 Software version", ""),
            Row("1.7 Affected serial or lot number range", lot_ranges(data)),
            Row("1.8 Associated devices", ""),
        ], tables=[devices_table(data)]),
        Section("2. Reason for the field safety corrective action (FSCA)", [
            Row("2.1 Description of the product problem", recall.reason),
            Row("2.2 Hazard giving rise to the FSCA", recall.hazard),
            Row("2.3 Probability of the problem arising", ""),
            Row("2.4 Predicted risk to patient / users", recall.hazard),
            Row("2.5 Background on the issue", joined((
                f"Nonconformance {recall.nonconformance.number}"
                if recall.nonconformance_id else "",
                f"Complaint {recall.complaint.number}" if recall.complaint_id else "",
            ), "; ")),
        ]),
        Section("3. Type of action to mitigate the risk", [
            Row("3.1 Action to be taken by the user",
                "\n".join(f"☐ {step}" for step in USER_ACTIONS.get(recall.strategy, []))),
            Row("3.2 Is a customer reply required?", _reply(recall)),
            Row("3.3 Action being taken by the manufacturer",
                MANUFACTURER_ACTION.get(recall.strategy, "")),
            Row("3.4 Is the FSN to be communicated to the patient / lay user?",
                "Yes" if recall.depth == "consumer" else "No"),
        ]),
        Section("4. General information", [
            Row("4.1 FSN type", "New"),
            Row("4.2 Manufacturer", _manufacturer(data)),
            Row("4.3 Contact person", _contact(data)),
            Row("4.4 Telephone", ""),
            Row("4.5 The competent authority of your country has been informed", ""),
            Row("4.6 Reference (FSCA)", recall.number),
        ]),
    ]  # fmt: skip
    return {
        "title": "Urgent field safety notice",
        "rule": RULE,
        "sections": sections,
        "transmission": TRANSMISSION,
        "products": product_names(data),
    }


def distribution_table(data: ReportData) -> Table:
    zone = data.site.time_zone
    return Table(
        ["Consignee", "Address / region", "Device and lot", "Quantity", "Shipped",
         "Notice acknowledged"],
        [
            [consignee.name, consignee_address(consignee) or "not recorded",
             f"{shipped.item.code} lot {lot_label(shipped)}",
             quantity(shipped.quantity, shipped.uom),
             dates_between(shipped.first_shipped, shipped.last_shipped, zone),
             "yes" if consignee.responded else ("sent" if consignee.contacted else "no")]
            for consignee in data.consignees
            for shipped in consignee.lots
        ],
        "None of the affected devices was distributed.",
    )  # fmt: skip


def _report_type(recall) -> str:
    if recall.status == RecallStatus.CLOSED:
        return "Final"
    return "Initial"


def fsca_report(data: ReportData, *, by) -> dict:
    recall, site = data.recall, data.site
    zone = site.time_zone
    notices = data.notices
    progress = (
        f"{notices.total} notices: {notices.sent} sent, {notices.acknowledged} acknowledged, "
        f"{notices.failed} failed or bounced."
        if notices.total
        else ""
    )
    sections = [
        Section("1. Administrative information", [
            Row("1.1 Recipient (national competent authority)", ""),
            Row("1.2 Date of this report", data.today.isoformat()),
            Row("1.3 Manufacturer's FSCA reference number", recall.number),
            Row("1.4 Type of report", _report_type(recall)),
            Row("1.5 Other competent authorities informed", ""),
        ]),
        Section("2. Manufacturer", [
            Row("2.1 Name", data.organization.name_en or data.organization.name),
            Row("2.2 Single registration number (SRN)", ""),
            Row("2.3 Address", address(site)),
            Row("2.4 Contact person", _contact(data)),
            Row("2.5 Telephone", ""),
        ]),
        Section("3. Authorised representative", [Row("3.1 Name and address", "")]),
        Section("4. Submitter", [
            Row("4.1 Name", by.printed_name),
            Row("4.2 E-mail", by.email),
        ]),
        Section("5. Medical device", [
            Row("5.1 Basic UDI-DI", di_values(data, "basic_udi_di")),
            Row("5.2 UDI-DI", di_values(data, "value")),
            Row("5.3 Nomenclature code (GMDN)", di_values(data, "gmdn_code")),
            Row("5.4 Risk class (MDR Annex VIII)", di_values(data, "risk_class_eu")),
            Row("5.5 Trade name", joined((di_values(data, "brand"), product_names(data)), "; ")),
            Row("5.6 Model / catalogue number", joined((models(data), catalog_numbers(data)),
                                                      "; ")),
            Row("5.7 Lot / serial numbers", lot_ranges(data)),
            Row("5.8 Notified body", ""),
        ]),
        Section("6. Description of the FSCA", [
            Row("6.1 Background information and reason for the FSCA", recall.reason),
            Row("6.2 Risk", recall.hazard),
            Row("6.3 Description and justification of the action",
                f"{MANUFACTURER_ACTION.get(recall.strategy, '')}, to "
                f"{DEPTH.get(recall.depth, '')} level. Status: "
                f"{STATUS[RecallStatus(recall.status)]}."),
            Row("6.4 Advice on actions to be taken by the distributor and the user",
                "\n".join(USER_ACTIONS.get(recall.strategy, []))),
            Row("6.5 Time schedule", joined((
                f"Decision: {local(recall.approved_at, zone)}" if recall.approved_at else "",
                f"Closed: {local(recall.closed_at, zone)}" if recall.closed_at else "",
            ), "; ")),
            Row("6.6 Progress", progress),
            Row("6.7 Distribution (regions)", ", ".join(data.regions)),
            Row("6.8 Affected countries", ""),
        ], tables=[distribution_table(data)]),
        Section("7. Comments", [
            Row("Linked records", joined((
                f"Nonconformance {recall.nonconformance.number}"
                if recall.nonconformance_id else "",
                f"Complaint {recall.complaint.number}" if recall.complaint_id else "",
                f"CAPA {recall.capa.number}" if recall.capa_id else "",
            ), "; ")),
        ]),
    ]  # fmt: skip
    return {
        "title": "Manufacturer's field safety corrective action (FSCA) report",
        "rule": RULE,
        "sections": sections,
        "copies": copies(notices.copies),
        "deadlines": data.deadlines_of("EU"),
    }
