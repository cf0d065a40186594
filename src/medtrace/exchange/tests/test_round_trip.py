"""Export writes exactly what import reads: an export imported into the same organization
changes nothing (and writes no audit entry), and imported into an empty one rebuilds the same
records. Values that a spreadsheet could run as a formula are exported neutralised."""

from datetime import date

import pytest

from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency, ItemKind, PackagingLevel
from medtrace.equipment import services as equipment
from medtrace.exchange import services
from medtrace.exchange.choices import BatchStatus, ImportKind
from medtrace.exchange.tests.conftest import audit_count, read_back
from medtrace.org import services as org_services
from medtrace.org.models import Location
from medtrace.partners import services as partners
from medtrace.scan.checks import gs1_check_digit

pytestmark = pytest.mark.django_db

# In the order a fresh organization needs them (a DI needs its item, a BOM its components).
ORDER = [
    ImportKind.ITEMS,
    ImportKind.DEVICE_IDENTIFIERS,
    ImportKind.SUPPLIERS,
    ImportKind.CUSTOMERS,
    ImportKind.BOMS,
    ImportKind.EQUIPMENT,
]


def gtin(body):
    return body + gs1_check_digit(body)


@pytest.fixture
def plant(organization, site_a, qa_a):
    """A little of everything, with values that need care: Chinese, line breaks, text that
    starts like a formula, decimals, dates, packages."""
    by = qa_a
    pvc = catalog.create_item(
        organization=organization, code="RM-PVC", name="=HYPERLINK(\"http://evil\")",
        name_en="-PVC pellets", kind=ItemKind.RAW_MATERIAL, unit="KG", shelf_life_days=730,
        storage_conditions="阴凉干燥处\n远离火源", by=by,
    )  # fmt: skip
    tube = catalog.create_item(
        organization=organization, code="CP-TUBE", name="PVC 输液管路", kind=ItemKind.COMPONENT,
        unit="M", by=by,
    )  # fmt: skip
    device = catalog.create_item(
        organization=organization, code="IS-2001", name="一次性使用输液器",
        kind=ItemKind.FINISHED_DEVICE, shelf_life_days=1095, by=by,
    )  # fmt: skip
    attributes = {"brand": "康滴", "model_number": "IS-2001", "sterile": True,
                  "sterilization_method": "eo", "risk_class_cn": "III",
                  "gmdn_code": "12345", "description": "重力输液\n15 µm filter",
                  "catalog_number": "IS-2001-150", "kit": True, "fda_product_code": "FPA",
                  "emdn_code": "C0301", "eifu_url": "https://example.com/ifu/IS-2001"}  # fmt: skip
    unit = catalog.create_device_identifier(
        item=device, issuing_agency=IssuingAgency.GS1, value=gtin("0950600010011"), by=by,
        **attributes,
    )  # fmt: skip
    catalog.create_device_identifier(
        item=device, issuing_agency=IssuingAgency.GS1, value=gtin("1950600010011"), by=by,
        packaging_level=PackagingLevel.INNER_PACK, contains=unit, quantity_per_package=25,
        **attributes,
    )  # fmt: skip
    bom = catalog.create_bom_draft(item=device, by=by, note="@首版")
    catalog.set_bom_lines(
        bom=bom,
        by=by,
        lines=[
            {"component": tube, "quantity": "1.5", "tolerance_percent": "2.5"},
            {"component": pvc, "quantity": "0.0125", "trace_required": False},
        ],
    )
    partners.create_supplier(
        organization=organization, code="SUP-1", name="浙江康塑", contact="+86 571 8888 1234",
        address="浙江省杭州市\r\n余杭区", by=by,
    )  # fmt: skip
    partners.create_customer(
        organization=organization, code="H-1", name="苏州市立医院", kind="hospital",
        gln=gtin("950600020001"), licence_valid_until=date(2027, 6, 30), by=by,
    )  # fmt: skip
    equipment.create_equipment(
        site=site_a, code="BAL-01", name="电子天平", equipment_type="balance",
        location=Location.objects.get(site=site_a, code="RCV"), calibration_required=True,
        calibration_interval_days=365, last_calibrated_on=date(2026, 1, 15), by=by,
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ORDER)
def test_an_export_imported_again_changes_nothing(plant, qa_a, kind, fmt):
    content = services.export(user=qa_a, kind=kind, fmt=fmt)
    before = audit_count()
    batch = services.upload(user=qa_a, kind=kind, file_name=f"export.{fmt}", content=content)
    assert batch.status == BatchStatus.READY, batch.problems
    assert batch.counts["create"] == batch.counts["update"] == 0
    assert batch.counts["unchanged"] == batch.row_count > 0
    services.apply_batch(batch=batch, user=qa_a)
    assert audit_count() == before + 1  # the batch's own entry, nothing else


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_rebuilds_the_same_records_elsewhere(plant, qa_a, fmt):
    from conftest import PASSWORD

    other, _created = org_services.ensure_organization(name="新工厂", name_en="New plant")
    site = org_services.create_site(organization=other, code="A1", name="新 A1")
    org_services.create_default_locations(site=site)
    newcomer = create_user(organization=other, username="new-qa", password=PASSWORD)
    org_services.grant_role(user=newcomer, site=site, role=Role.QA_MANAGER)
    for kind in ORDER:
        content = services.export(user=qa_a, kind=kind, fmt=fmt)
        batch = services.upload(user=newcomer, kind=kind, file_name=f"x.{fmt}", content=content)
        assert batch.status == BatchStatus.READY, (kind, batch.problems)
        assert batch.counts["create"] == batch.row_count
        services.apply_batch(batch=batch, user=newcomer)
        again = services.export(user=newcomer, kind=kind, fmt=fmt)
        assert read_back(fmt, again) == read_back(fmt, content), kind


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_values_are_exported_neutralised(plant, qa_a, fmt):
    items = read_back(fmt, services.export(user=qa_a, kind="items", fmt=fmt))
    pvc = dict(zip(items[0], next(row for row in items if row[0] == "RM-PVC"), strict=True))
    assert pvc["name"] == '\'=HYPERLINK("http://evil")'
    assert pvc["name_en"] == "'-PVC pellets"
    suppliers = read_back(fmt, services.export(user=qa_a, kind="suppliers", fmt=fmt))
    assert suppliers[1][suppliers[0].index("contact")] == "'+86 571 8888 1234"
    boms = read_back(fmt, services.export(user=qa_a, kind="boms", fmt=fmt))
    assert boms[1][boms[0].index("note")] == "'@首版"


def test_xlsx_cells_keep_their_types(plant, qa_a):
    import io

    from openpyxl import load_workbook

    content = services.export(user=qa_a, kind="items", fmt="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert workbook.sheetnames == ["items", "Columns"]
    guide = list(workbook["Columns"].iter_rows(values_only=True))
    assert guide[0] == ("Column", "Meaning", "Required", "Values")
    assert ("kind", "kind", "yes", "raw_material, component, sub_assembly, finished_device, "
            "packaging") in guide  # fmt: skip


def test_every_export_is_audited(plant, qa_a):
    from medtrace.audit.models import AuditEntry

    services.export(user=qa_a, kind="customers", fmt="csv")
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert entry.object_type == "exchange.export" and entry.object_id == "customers"
    assert entry.changes == {"kind": "customers", "format": "csv", "rows": 1}


def test_templates_hold_only_the_header():
    content = services.template(kind="boms", fmt="csv")
    assert content.decode("utf-8-sig") == (
        "product,note,component,quantity,unit,tolerance_percent,trace_required\r\n"
    )


def test_the_demo_plant_exports_and_imports_cleanly(demo_plant):
    plant = demo_plant
    qa = plant.users["qa"]
    for kind in ORDER:
        for fmt in ("csv", "xlsx"):
            content = services.export(user=qa, kind=kind, fmt=fmt)
            batch = services.upload(user=qa, kind=kind, file_name=f"demo.{fmt}", content=content)
            assert batch.status == BatchStatus.READY, (kind, fmt, batch.problems)
            assert batch.counts["unchanged"] == batch.row_count > 0, (kind, batch.counts)
