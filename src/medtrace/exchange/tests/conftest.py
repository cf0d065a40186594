"""Import/export test data: sheets built in memory (CSV and .xlsx), a QA manager at site A (who
may import every kind), and a user of another organization."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from medtrace.accounts.roles import Role
from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.exchange import services

ITEM_HEADER = ["code", "name", "name_en", "kind", "unit", "tracking", "shelf_life_days"]


def csv_bytes(rows, *, bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_bytes(fmt: str, rows) -> bytes:
    return xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)


def read_back(fmt: str, content: bytes) -> list[list]:
    """What a spreadsheet would show of an exported file (cells as stored)."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload(user, kind, rows, fmt="csv", reason="", name=None):
    return services.upload(
        user=user,
        kind=kind,
        file_name=name or f"{kind}.{fmt}",
        content=sheet_bytes(fmt, rows),
        reason=reason,
    )


def audit_count() -> int:
    return AuditEntry.objects.count()


@pytest.fixture
def ra_a(make_user, site_a):
    """Regulatory affairs: keeps the catalog, may not import partners or equipment."""
    return make_user("ra-a", (site_a, Role.REGULATORY_AFFAIRS))


@pytest.fixture
def pvc(organization, qa_a):
    return catalog.create_item(
        organization=organization,
        code="RM-PVC",
        name="医用级聚氯乙烯粒料",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
        shelf_life_days=730,
        by=qa_a,
    )


@pytest.fixture
def outsider(stranger):
    """A QA manager of another organization, with an item coded like one of ours."""
    other, user = stranger.organization, stranger
    catalog.create_item(
        organization=other, code="RM-PVC", name="他们的粒料", kind=ItemKind.RAW_MATERIAL
    )
    return user
