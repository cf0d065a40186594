"""The pieces every regulator report is laid out with: rows of (label, value) in sections,
tables, and the words each form's language uses for what medtrace does not hold. A row whose
value is empty prints as not recorded; the labels are the forms' own (Chinese for NMPA, English
for FDA and the EU) and are not translated."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from medtrace.catalog.choices import Tracking
from medtrace.core.numbers import plain

from .data import Consignee, LotRow, ReportData, Serials, ShippedLot

MISSING = {"zh-hans": "未记录", "en": "not recorded"}
# A consignee's acknowledgement link is its own signed key: a copy printed for an authority
# shows where the link goes, not the key.
ACK_LINK = re.compile(r"(/recall/acknowledge/)[^/\s]+/")


@dataclass(frozen=True)
class Row:
    label: str
    value: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    # Shown instead of the table when it has no rows.
    empty: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    text: str = ""  # a paragraph after the rows (a fixed statement of the form)

    def missing(self) -> list[str]:
        return [row.label for row in self.rows if not row.value]


def missing_labels(sections: list[Section]) -> list[str]:
    return [label for section in sections for label in section.missing()]


def joined(values, sep: str = "; ") -> str:
    """The distinct non-empty values in their order, joined."""
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return sep.join(seen)


def day(value) -> str:
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else ""


def local(moment: datetime | None, zone: str, fmt: str = "%Y-%m-%d %H:%M %z") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(fmt) if moment else ""


def local_day(moment: datetime | None, zone: str) -> str:
    return local(moment, zone, "%Y-%m-%d")


def quantity(value: Decimal | None, uom: str = "") -> str:
    if value is None:
        return ""
    return f"{plain(value)} {uom}".strip()


def serial_text(serials: Serials, more: str) -> str:
    """The serials listed, then `more` (a format with %(n)s) for those not printed."""
    if not serials.total:
        return ""
    text = ", ".join(serials.shown)
    if serials.more:
        text += " " + more % {"n": serials.more}
    return text


def lot_label(row: LotRow | ShippedLot) -> str:
    return row.lot_number or "—"


def dates_between(first: datetime | None, last: datetime | None, zone: str) -> str:
    start, end = local_day(first, zone), local_day(last, zone)
    if start == end:
        return start
    return f"{start} to {end}"


def consignee_address(consignee: Consignee) -> str:
    return joined((consignee.address, consignee.region), ", ")


def di_values(data: ReportData, name: str) -> str:
    """One DI attribute over the affected products (empty when none has it)."""
    return joined(getattr(device.di, name, "") if device.di else "" for device in data.products)


def product_names(data: ReportData) -> str:
    return joined(device.item.display_name for device in data.products)


def models(data: ReportData) -> str:
    return joined(
        device.di.model_number if device.di and device.di.model_number else "" for device in
        data.products
    )  # fmt: skip


def catalog_numbers(data: ReportData) -> str:
    return joined(device.item.code for device in data.products)


def lot_numbers(data: ReportData, rows: list[LotRow] | None = None) -> str:
    return joined(row.lot_number for row in (rows if rows is not None else data.lots))


def product_lots(data: ReportData) -> list[LotRow]:
    """The lots of the affected products (all affected lots when none is a product)."""
    items = {device.item.pk for device in data.products}
    return [row for row in data.lots if row.item.pk in items]


def expiry_dates(rows: list[LotRow]) -> str:
    return joined(
        f"{row.lot_number}: {row.lot.expires_on.isoformat()}"
        for row in rows
        if row.lot and row.lot.expires_on
    )


def manufacture_dates(rows: list[LotRow]) -> str:
    return joined(
        f"{row.lot_number}: {row.lot.manufactured_on.isoformat()}"
        for row in rows
        if row.lot and row.lot.manufactured_on
    )


def contact_email(user) -> str:
    return getattr(user, "email", "") or ""


def serialized(data: ReportData) -> bool:
    """Whether any affected product is tracked by serial number."""
    return any(device.item.tracking == Tracking.SERIAL for device in data.products)


def copies(notices) -> list[dict]:
    """The notices as copies of the communication: each acknowledgement key replaced."""
    return [
        {"notice": notice, "text": ACK_LINK.sub(r"\1[the consignee's own key]/", notice.body)}
        for notice in notices
    ]


def address(site) -> str:
    """The site's address with its country; empty when no address is recorded."""
    return f"{site.address}, {site.country}" if site.address else ""
