"""Reading files: encodings, separators, limits, formulas, row numbers; and what is refused as
a whole before any row is looked at."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from medtrace.core.errors import DomainError
from medtrace.exchange import sheets
from medtrace.exchange.choices import BatchStatus
from medtrace.exchange.models import ImportBatch
from medtrace.exchange.tests.conftest import ITEM_HEADER, csv_bytes, upload, xlsx_bytes

ROWS = [ITEM_HEADER, ["RM-PVC", "粒料", "", "raw_material", "KG", "lot", 730]]


def refusal(content: bytes, fmt: str) -> str:
    with pytest.raises(DomainError) as refused:
        sheets.read(content, fmt)
    return str(refused.value.message)


def test_csv_with_and_without_byte_order_mark():
    for content in (csv_bytes(ROWS), csv_bytes(ROWS, bom=True)):
        sheet = sheets.read(content, "csv")
        assert sheet.headers[0] == "code"
        assert sheet.rows == [(2, ["RM-PVC", "粒料", "", "raw_material", "KG", "lot", "730"])]


def test_csv_refusals():
    assert "not UTF-8" in refusal("code,name\r\nA,粒料\r\n".encode("gb18030"), "csv")
    assert "commas" in refusal(b"code;name\r\nA;x\r\n", "csv")
    assert "empty" in refusal(b"", "csv")
    assert "no rows below" in refusal(b"code,name\r\n,\r\n", "csv")


def test_format_comes_from_the_name():
    assert sheets.file_format("Items.XLSX") == "xlsx"
    assert sheets.file_format("items.csv") == "csv"
    with pytest.raises(DomainError, match=r"old Excel \.xls"):
        sheets.file_format("items.xls")
    with pytest.raises(DomainError, match=r"\.xlsx\) or a CSV"):
        sheets.file_format("items.txt")


def test_a_csv_renamed_xlsx_and_a_damaged_workbook_are_refused():
    assert "not an Excel .xlsx workbook" in refusal(csv_bytes(ROWS), "xlsx")
    assert "not an Excel .xlsx workbook" in refusal(b"PK\x03\x04" + b"\x00" * 100, "xlsx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "not a workbook")
    assert "cannot be read" in refusal(archive.getvalue(), "xlsx")


def test_limits(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    rows = [ITEM_HEADER] + [[f"RM-{n}", "x", "", "raw_material"] for n in range(4)]
    assert "more than 3 rows" in refusal(csv_bytes(rows), "csv")
    assert sheets.read(csv_bytes(rows[:4]), "csv").rows[-1][0] == 4
    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 1024 * 1024)
    assert "1.1 MB; at most 1 MB" in refusal(b"x" * 1_150_000, "csv")


def test_blank_rows_are_skipped_but_keep_their_numbers():
    rows = [ITEM_HEADER, ["A", "x"], [], ["", "  "], ["B", "y"]]
    for content, fmt in ((csv_bytes(rows), "csv"), (xlsx_bytes(rows), "xlsx")):
        sheet = sheets.read(content, fmt)
        assert [number for number, _cells in sheet.rows] == [2, 5]


def test_xlsx_reads_the_first_sheet_and_formula_values():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "shelf_life_days"])
    sheet.append(["RM-PVC", "粒料", "raw_material", "=365*2"])
    workbook.create_sheet("other").append(["ignored"])
    out = io.BytesIO()
    workbook.save(out)
    read = sheets.read(out.getvalue(), "xlsx")
    # A formula is read as the value Excel last computed and stored; openpyxl, which wrote
    # this file, stores none. A formula is never evaluated here.
    assert read.rows[0][1][3] is None
    assert read.headers == ["code", "name", "kind", "shelf_life_days"]


def test_a_value_without_a_column_name_is_a_problem(qa_a):
    rows = [ITEM_HEADER[:4], ["RM-PVC", "粒料", "", "raw_material", "stray"]]
    batch = upload(qa_a, "items", rows)
    assert [(p["row"], p["rule"]) for p in batch.problems] == [(2, "no_header")]


def test_a_refused_file_leaves_no_batch(qa_a):
    with pytest.raises(DomainError):
        upload(qa_a, "items", ROWS, name="items.xls")
    assert not ImportBatch.objects.exists()


def test_headers_match_whatever_their_case(qa_a):
    rows = [[header.upper() for header in ITEM_HEADER], ROWS[1]]
    assert upload(qa_a, "items", rows).status == BatchStatus.READY
