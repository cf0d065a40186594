"""Reading and writing the files: CSV (UTF-8, with or without a byte-order mark, comma
separated) and .xlsx (the first worksheet; formulas read as their last computed values).

Row 1 holds the column keys; data starts on row 2. Row numbers are those a spreadsheet shows,
so a report's "row 7" is the seventh row on screen. Entirely empty rows are skipped (their
numbers are not reused). A file that cannot be read, is too large or has too many rows is
refused as a whole: there is nothing to report row by row.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.exchange.cells import Column, cell_for_export, is_empty
from medtrace.exchange.choices import FileFormat

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
CONTENT_TYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as shown, cells under the headers)
    overflow: dict[int, int]  # row number -> column number of a value beyond the headers


def refuse(message):
    raise DomainError(ErrorCode.VALIDATION, message, fields={"file": [str(message)]})


def file_format(file_name: str) -> FileFormat:
    """The format, from the file's name; only .xlsx and .csv are read."""
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    if lowered.endswith(".csv"):
        return FileFormat.CSV
    if lowered.endswith(".xls"):
        refuse(_("An old Excel .xls file cannot be read; save it as .xlsx (Excel Workbook)."))
    refuse(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        refuse(
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once. Split it.")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_FILE_BYTES // 1024 // 1024}
        )


def read(content: bytes, fmt: str) -> Sheet:
    check_size(len(content))
    rows = _xlsx_rows(content) if fmt == FileFormat.XLSX else _csv_rows(content)
    header_cells = next(rows, None)
    if header_cells is None:
        refuse(_("The file is empty."))
    headers = [_header(cell) for cell in header_cells[:MAX_COLUMNS]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        refuse(_("Row 1 must hold the column names; it is empty."))
    data, overflow = [], {}
    for number, cells in enumerate(rows, start=2):
        cells = list(cells)
        if all(is_empty(cell) for cell in cells):
            continue
        if len(data) >= MAX_ROWS:
            refuse(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        beyond = [i for i, cell in enumerate(cells[len(headers) :]) if not is_empty(cell)]
        if beyond:
            overflow[number] = len(headers) + beyond[0] + 1
        cells = cells[: len(headers)]
        data.append((number, cells + [None] * (len(headers) - len(cells))))
    if not data:
        refuse(_("The file has no rows below the column names."))
    return Sheet(headers=headers, rows=data, overflow=overflow)


def _header(cell) -> str:
    return "" if cell is None else str(cell).strip().lower()


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        refuse(
            _(
                "The CSV file is not UTF-8 text. In Excel choose Save As → “CSV UTF-8 "
                "(Comma delimited)”, or upload the .xlsx workbook instead."
            )
        )
    if "\x00" in text:
        refuse(_("The file is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
        if first is None:
            return
        if len(first) == 1 and (";" in first[0] or "\t" in first[0]):
            refuse(_("Separate the columns of a CSV file with commas (,), not ; or tabs."))
        yield first
        yield from reader
    except csv.Error as error:
        refuse(_("The CSV file cannot be read: %(error)s") % {"error": error})


def _xlsx_rows(content: bytes):
    if not content.startswith(XLSX_MAGIC):
        refuse(_("The file is not an Excel .xlsx workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except Exception:  # a damaged archive raises more than BadZipFile (fuzzing found several)
        refuse(_("The file is not an Excel .xlsx workbook."))
    if unpacked > MAX_UNPACKED_BYTES:
        # A small file that unpacks to gigabytes (a "zip bomb") is refused before it is read.
        refuse(_("The workbook is too large once unpacked; split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        refuse(_("The workbook cannot be read: %(error)s") % {"error": error})
    try:
        if not workbook.worksheets:
            refuse(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Some writers store wrong sheet dimensions; read the rows actually present.
        sheet.reset_dimensions()
        yield from _rows(sheet)
    finally:
        workbook.close()


def _rows(sheet):
    """The sheet's rows; read-only mode parses the sheet's XML only now, so damage in it
    (an invalid character a careless writer left, a cut-off file) shows up here."""
    rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl raises many kinds for a damaged sheet
            refuse(_("The workbook cannot be read: %(error)s") % {"error": error})
        yield row


# Writing.


def write(fmt: str, columns: Sequence[Column], rows: Iterable[dict], *, title: str) -> bytes:
    """The rows (dicts by column key) as a file of `fmt`, exactly the columns import reads."""
    if fmt == FileFormat.XLSX:
        return _write_xlsx(columns, rows, title=title)
    return _write_csv(columns, rows)


def _write_csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in columns])
    for row in rows:
        writer.writerow([_csv_text(cell_for_export(row.get(c.key))) for c in columns])
    # The byte-order mark makes Excel open UTF-8 (and so Chinese) correctly.
    return out.getvalue().encode("utf-8-sig")


def _csv_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return format(value, "f") if not isinstance(value, str | int) else str(value)


def _write_xlsx(columns, rows, *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, column.key, font=bold) for column in columns])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell_for_export(row.get(c.key))) for c in columns])
    guide = workbook.create_sheet(title=str(_("Columns"))[:31])
    guide.append(
        [
            _xlsx_cell(guide, str(heading), font=bold)
            for heading in (_("Column"), _("Meaning"), _("Required"), _("Values"))
        ]
    )
    for column in columns:
        guide.append(
            [
                column.key,
                str(column.label),
                str(_("yes")) if column.required else str(_("no")),
                column.allowed,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, *, font=None):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text (it is escaped besides)
    if font is not None:
        cell.font = font
    return cell
