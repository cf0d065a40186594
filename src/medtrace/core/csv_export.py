"""CSV downloads that open right in a spreadsheet: UTF-8 with a byte-order mark (Excel shows
Chinese only with it), and a text cell that a spreadsheet would read as a formula prefixed
with an apostrophe, so opening the file never runs what someone typed into a record."""

import csv

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text as a spreadsheet shows it, never as a formula; numbers and the rest unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def csv_download(filename: str, header: list, rows) -> HttpResponse:
    """The rows as an attachment named `filename`, the header first."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
