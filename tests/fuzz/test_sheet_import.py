"""Fuzzing the Excel/CSV importer: any bytes; valid workbooks cut short, with bytes flipped, or
with one part of the zip replaced (damaged XML, an entity bomb, an external entity); and sheets
of every import kind whose cells are formulas, huge texts, numbers, dates and booleans where
text is expected, under headers shuffled, dropped or made up. Reading gives rows or refuses
with DomainError(VALIDATION); an upload keeps a batch or refuses; applying a ready batch
writes it or refuses, and a refusal adds no row anywhere."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from django.apps import apps
from hypothesis import event, example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.exchange import kinds, services, sheets
from medtrace.exchange.choices import BatchStatus, ImportKind
from tests.fuzz.budget import database_fuzzing, fuzzing, inputs
from tests.fuzz.strategies import AWKWARD_CHARACTERS, hostile_numbers

EXCEL_CELL_LIMIT = 32_767
FORMULAS = [
    "=1+1",
    "=SUM(A1:A9)",
    '=HYPERLINK("http://127.0.0.1/","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1",
    "'=1",
    "=1/0",
    "=A1",  # a cycle
]


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8")


VALID_WORKBOOK = workbook_bytes([["code", "name"], ["RM-1", "粒料"], ["RM-2", 3]])
PARTS = zipfile.ZipFile(io.BytesIO(VALID_WORKBOOK)).namelist()
ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{f"&{chr(97 + n)};" * 10}">' for n in range(8))
    + "]><d>&i;</d>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
)


def with_part(name: str, content: bytes) -> bytes:
    """The valid workbook with one zip member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(VALID_WORKBOOK))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.infolist():
            archive.writestr(member, content if member.filename == name else source.read(member))
    return out.getvalue()


def with_central_directory(patch: dict[int, int]) -> bytes:
    """The valid workbook with bytes of its first central directory entry replaced."""
    data = bytearray(VALID_WORKBOOK)
    entry = data.index(b"PK\x01\x02")
    for offset, value in patch.items():
        data[entry + offset] = value
    return bytes(data)


# Found by atheris: zipfile raises NotImplementedError for a version it lacks (offset 6: the
# version needed to extract) and UnicodeDecodeError for a name flagged UTF-8 that is not
# (offset 9: bit 11 of the flags; 46: the name's first byte).
ZIP_VERSION_233 = with_central_directory({6: 233})
NAME_NOT_UTF8 = with_central_directory({9: 0x08, 46: 0x80})
# Found by the upload test: openpyxl writes U+FFFF, which XML forbids; read-only mode parses a
# sheet row by row, so the damage shows only after the first rows were read.
SHEET_DAMAGED_IN_ROW_2 = with_part(
    "xl/worksheets/sheet1.xml",
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>\xef\xbf\xbf</t></is></c></row>'
    b"</sheetData></worksheet>",
)


@st.composite
def flipped(draw, content: bytes) -> bytes:
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


xml_parts = st.one_of(
    st.sampled_from([ENTITY_BOMB, EXTERNAL_ENTITY]).map(str.encode),
    st.binary(max_size=300),
    st.sampled_from([VALID_WORKBOOK[:200], b"<worksheet><sheetData><row", b"<?xml?>"]),
)
damaged_workbooks = st.one_of(
    st.integers(0, len(VALID_WORKBOOK)).map(lambda end: VALID_WORKBOOK[:end]),
    flipped(VALID_WORKBOOK),
    st.builds(with_part, st.sampled_from(PARTS), xml_parts),
)
files = st.tuples(
    st.one_of(damaged_workbooks, st.binary(max_size=3_000), st.text().map(str.encode)),
    st.sampled_from(["xlsx", "csv"]),
)


def read(content: bytes, fmt: str):
    inputs["sheets"] += 1
    try:
        return sheets.read(content, fmt)
    except DomainError as refusal:
        assert refusal.code == ErrorCode.VALIDATION
        return None


@fuzzing
@given(file=files)
@example(file=(with_part("xl/worksheets/sheet1.xml", ENTITY_BOMB.encode()), "xlsx"))
@example(file=(with_part("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY.encode()), "xlsx"))
@example(file=(with_part("xl/sharedStrings.xml", ENTITY_BOMB.encode()), "xlsx"))
@example(file=(ZIP_VERSION_233, "xlsx"))
@example(file=(NAME_NOT_UTF8, "xlsx"))
@example(file=(SHEET_DAMAGED_IN_ROW_2, "xlsx"))
def test_a_file_reads_or_is_refused_never_crashes(file):
    content, fmt = file
    sheet = read(content, fmt)
    event("refused" if sheet is None else "read")
    if sheet is not None:
        assert sheet.headers and sheet.rows


def test_no_entity_of_a_workbook_is_expanded_or_fetched():
    for attack in (ENTITY_BOMB, EXTERNAL_ENTITY):
        for part in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
            with pytest.raises(DomainError, match="cannot be read"):
                sheets.read(with_part(part, attack.encode()), "xlsx")


printable_text = st.text(max_size=30).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
cells = st.one_of(
    st.none(),
    printable_text,
    st.sampled_from(FORMULAS),
    st.sampled_from([c for c in AWKWARD_CHARACTERS if not ILLEGAL_CHARACTERS_RE.search(c)]),
    st.integers(1_000, 40_000).map(lambda length: "x" * length),
    hostile_numbers.filter(lambda number: abs(number) < 1e300),
    st.booleans(),
    st.dates(date(1900, 1, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 1, 1)),
    st.sampled_from(["yes", "否", "GS1", "lot", "serial", "KG", "EA", "A1", "RM-1", "2026-13-01"]),
)


@st.composite
def sheets_of_a_kind(draw):
    """(kind, header, rows): the kind's own columns, shuffled, some dropped, some made up."""
    kind = draw(st.sampled_from(list(ImportKind)))
    keys = [column.key for column in kinds.get(kind).columns]
    header = draw(st.permutations(keys))[: draw(st.integers(1, len(keys)))]
    header += draw(st.lists(st.sampled_from(["", "junk", "CODE", " code ", "名称"]), max_size=2))
    rows = draw(
        st.lists(
            st.lists(cells, min_size=len(header), max_size=len(header) + 2), min_size=0, max_size=6
        )
    )
    return kind, header, rows


ITEM_HEADER = ["code", "name", "name_en", "kind", "unit", "tracking", "shelf_life_days"]


@st.composite
def item_sheets(draw):
    """Items that would import, one cell of a row made hostile: so rows reach apply and the
    services, not only the cell parsers."""
    rows = [
        [f"RM-{number}", f"粒料 {number}", "", "raw_material", "KG", "lot", 730]
        for number in range(draw(st.integers(1, 4)))
    ]
    row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(ITEM_HEADER) - 1))
    rows[row][column] = draw(cells)
    return ImportKind.ITEMS, ITEM_HEADER, rows


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
@database_fuzzing
@given(sheet=st.one_of(sheets_of_a_kind(), item_sheets()), fmt=st.sampled_from(["xlsx", "csv"]))
def test_an_upload_and_its_apply_write_all_or_nothing(sheet, fmt, admin_a):
    inputs["sheet-import"] += 1
    kind, header, rows = sheet
    content = (workbook_bytes if fmt == "xlsx" else csv_bytes)([header, *rows])
    before = row_counts()
    try:
        batch = services.upload(user=admin_a, kind=kind, file_name=f"{kind}.{fmt}", content=content)
    except DomainError as refusal:
        assert refusal.code == ErrorCode.VALIDATION
        assert row_counts() == before
        event("upload refused")
        return
    event(f"upload {batch.status}")
    if batch.status != BatchStatus.READY:
        return
    before = row_counts()
    try:
        services.apply_batch(batch=batch, user=admin_a)
    except DomainError as refusal:
        assert refusal.code in set(ErrorCode)
        assert row_counts() == before
        event(f"apply refused {refusal.code}")
    else:
        event("applied")
