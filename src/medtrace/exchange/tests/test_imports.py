"""Importing each kind through the real services: validate (a dry run that writes nothing but
the batch), apply (all or nothing), and the audit entries that go with it."""

from datetime import date
from decimal import Decimal

import pytest

from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind, PackagingLevel
from medtrace.catalog.models import Bom, DeviceIdentifier, Item, VersionStatus
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment.models import Equipment
from medtrace.exchange import services
from medtrace.exchange.choices import BatchStatus
from medtrace.exchange.models import ImportBatch
from medtrace.exchange.tests.conftest import ITEM_HEADER, audit_count, upload
from medtrace.partners.models import Customer, Supplier
from medtrace.scan.checks import gs1_check_digit

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


def gtin(body: str) -> str:
    return body + gs1_check_digit(body)


UNIT = gtin("0950600010011")
BOX = gtin("1950600010011")

ITEMS = [
    ITEM_HEADER,
    ["rm-pvc", "医用级聚氯乙烯粒料", "PVC pellets", "raw_material", "kg", "lot", 730],
    ["CP-TUBE", "PVC 输液管路", "PVC tubing", "component", "M", "lot", 1095],
    ["IS-2001", "一次性使用输液器", "Infusion set", "finished_device", "EA", "lot", 1095],
]


def applied(batch, user):
    assert batch.status == BatchStatus.READY, batch.report
    return services.apply_batch(batch=batch, user=user)


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_are_created_then_updated_and_unchanged_rows_write_nothing(qa_a, fmt):
    batch = upload(qa_a, "items", ITEMS, fmt=fmt)
    assert batch.counts == {"create": 3, "update": 0, "unchanged": 0}
    assert not Item.objects.exists(), "validating writes nothing"
    before = audit_count()
    applied(batch, qa_a)
    pvc = Item.objects.get(code="RM-PVC")
    assert (pvc.unit, pvc.shelf_life_days, pvc.name_en) == ("KG", 730, "PVC pellets")
    # One entry per record, one for the batch.
    assert audit_count() == before + 3 + 1

    changed = [ITEM_HEADER, ["RM-PVC", "医用级聚氯乙烯粒料", "", "raw_material", "", "", 365]]
    changed += ITEMS[2:]
    second = upload(qa_a, "items", changed, fmt=fmt, reason="shelf life per new stability data")
    assert second.counts == {"create": 0, "update": 1, "unchanged": 2}
    before = audit_count()
    applied(second, qa_a)
    pvc.refresh_from_db()
    # An empty cell keeps the record's value.
    assert (pvc.shelf_life_days, pvc.name_en, pvc.unit) == (365, "PVC pellets", "KG")
    change = AuditEntry.objects.filter(object_type="catalog.item", action="change").get()
    assert change.changes == {"shelf_life_days": [730, 365]}
    assert change.reason == "shelf life per new stability data"
    assert audit_count() == before + 1 + 1


def test_acceptance_one_bad_row_writes_nothing_and_names_row_column_rule(qa_a):
    rows = [*ITEMS, ["RM-ABS", "医用 ABS 树脂", "", "resin", "KG", "lot", 1095]]
    before = audit_count()
    batch = upload(qa_a, "items", rows)
    assert batch.status == BatchStatus.ERRORS
    assert batch.problems == [
        {
            "row": 5,
            "column": "kind",
            "value": "resin",
            "rule": "choice",
            "message": "resin is not one of: raw_material, component, sub_assembly, "
            "finished_device, packaging.",
        }
    ]
    assert not Item.objects.exists()
    assert audit_count() == before
    with pytest.raises(DomainError) as refused:
        services.apply_batch(batch=batch, user=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert not Item.objects.exists() and audit_count() == before


def test_every_problem_is_reported_parse_and_service_rules_alike(qa_a, pvc):
    rows = [
        ITEM_HEADER,
        ["", "no code", "", "component", "", "", ""],  # required
        ["CP-A", "甲", "", "component", "box of 10", "", ""],  # unit choice
        ["CP-B", "乙", "", "component", "", "", "-3"],  # minimum
        ["cp c", "丙", "", "component", "", "", ""],  # the model's code rule (a service)
        ["CP-D", "丁", "", "component", "", "", ""],
        ["cp-d", "丁 again", "", "component", "", "", ""],  # duplicate in the file
        ["CP-E", "戊", "", "component", "", "", "12.5"],
    ]
    batch = upload(qa_a, "items", rows)
    found = {(p["row"], p["column"], p["rule"]) for p in batch.problems}
    assert found == {
        (2, "code", "required"),
        (3, "unit", "choice"),
        (4, "shelf_life_days", "min_value"),
        (5, "code", "validation_error"),
        (7, "code", "duplicate_in_file"),
        (8, "shelf_life_days", "integer"),
    }
    assert batch.counts["create"] == 1  # CP-D: would be created
    assert Item.objects.count() == 1  # only the fixture's


def test_headers_unknown_and_missing_are_named(qa_a):
    batch = upload(qa_a, "items", [["code", "naem", "kind"], ["X", "x", "component"]])
    assert {(p["row"], p["column"], p["rule"]) for p in batch.problems} == {
        (1, "naem", "unknown_column"),
        (1, "name", "missing_column"),
    }


def test_a_duplicate_code_in_the_database_is_caught_by_the_service(qa_a, pvc):
    """RM-PVC exists, so the row updates it; a code the model refuses is reported per row."""
    rows = [ITEM_HEADER, ["RM-PVC", "新名字", "", "raw_material", "KG", "lot", 730]]
    batch = upload(qa_a, "items", rows)
    assert batch.counts == {"create": 0, "update": 1, "unchanged": 0}


@pytest.mark.parametrize("fmt", FORMATS)
def test_device_identifiers_package_before_unit_in_the_file(qa_a, fmt):
    applied(upload(qa_a, "items", ITEMS), qa_a)
    header = ["item", "issuing_agency", "value", "packaging_level", "contains",
              "quantity_per_package", "brand", "model_number", "sterile", "sterilization_method",
              "label_has_expiry"]  # fmt: skip
    rows = [
        header,
        ["IS-2001", "GS1", BOX, "inner_pack", UNIT[1:], 25, "康滴", "IS-2001", "yes", "eo", "是"],
        ["is-2001", "gs1", UNIT[1:], "", "", "", "康滴", "IS-2001", "yes", "EO", "yes"],
    ]
    batch = upload(qa_a, "device_identifiers", rows, fmt=fmt)
    assert batch.counts == {"create": 2, "update": 0, "unchanged": 0}
    applied(batch, qa_a)
    box = DeviceIdentifier.objects.get(value=BOX)
    assert box.contains.value == UNIT  # the GTIN-13 as written, stored as GTIN-14
    assert (box.packaging_level, box.quantity_per_package) == (PackagingLevel.INNER_PACK, 25)


def test_device_identifier_rules_of_the_services_reach_the_report(qa_a):
    applied(upload(qa_a, "items", ITEMS), qa_a)
    header = ["item", "issuing_agency", "value", "packaging_level", "contains",
              "quantity_per_package", "brand", "model_number", "sterile",
              "sterilization_method"]  # fmt: skip
    bad_check_digit = UNIT[:-1] + str((int(UNIT[-1]) + 1) % 10)
    rows = [
        header,
        ["IS-2001", "GS1", bad_check_digit, "", "", "", "康滴", "IS-2001", "yes", "eo"],
        ["IS-2001", "GS1", BOX, "inner_pack", bad_check_digit, 25, "康滴", "IS-2001", "yes", "eo"],
        ["RM-PVC", "GS1", gtin("0950600010028"), "", "", "", "X", "X", "no", ""],
        ["NOPE", "GS1", gtin("0950600010035"), "", "", "", "X", "X", "no", ""],
    ]
    batch = upload(qa_a, "device_identifiers", rows)
    problems = {(p["row"], p["column"]): p for p in batch.problems}
    assert "check digit is wrong" in problems[2, "value"]["message"]
    assert problems[3, "contains"]["message"] == (
        "The device identifier it contains is on row 2, which has errors."
    )
    assert problems[4, "item"]["rule"] == "validation_error"  # a raw material carries no DI
    assert problems[5, "item"]["rule"] == "unknown_reference"
    assert not DeviceIdentifier.objects.exists()


def test_a_device_identifier_correction_needs_a_reason_and_never_a_new_device(qa_a):
    applied(upload(qa_a, "items", ITEMS), qa_a)
    header = ["item", "issuing_agency", "value", "brand", "model_number", "sterile",
              "sterilization_method", "registration_number"]  # fmt: skip
    first = [header, ["IS-2001", "GS1", UNIT, "康滴", "IS-2001", "yes", "eo", "国械注准1"]]
    applied(upload(qa_a, "device_identifiers", first), qa_a)

    corrected = [header, ["IS-2001", "GS1", UNIT, "康滴", "IS-2001", "yes", "eo", "国械注准2"]]
    no_reason = upload(qa_a, "device_identifiers", corrected)
    assert [(p["row"], p["rule"]) for p in no_reason.problems] == [(2, "reason_required")]
    with_reason = upload(qa_a, "device_identifiers", corrected, reason="注册证延续")
    applied(with_reason, qa_a)
    identifier = DeviceIdentifier.objects.get(value=UNIT)
    assert identifier.registration_number == "国械注准2" and identifier.version == 2
    assert identifier.versions.get(number=2).reason == "注册证延续"

    new_brand = [header, ["IS-2001", "GS1", UNIT, "新品牌", "IS-2001", "yes", "eo", "国械注准2"]]
    refused = upload(qa_a, "device_identifiers", new_brand, reason="rebrand")
    assert [(p["column"], p["rule"]) for p in refused.problems] == [
        ("brand", "new_identifier_required")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_suppliers_and_customers(qa_a, fmt):
    suppliers = [
        ["code", "name", "name_en", "contact", "address", "country"],
        ["sup-zjpvc", "浙江康塑医用材料有限公司", "Zhejiang Kangsu", "张华", "杭州", "cn"],
        ["SUP-DE", "Medplast GmbH", "", "", "Berlin", "DE"],
    ]
    applied(upload(qa_a, "suppliers", suppliers, fmt=fmt), qa_a)
    assert list(Supplier.objects.values_list("code", "country", "status")) == [
        ("SUP-DE", "DE", "prospective"),
        ("SUP-ZJPVC", "CN", "prospective"),
    ]
    gln = gtin("950600020001")
    customers = [
        ["code", "name", "kind", "gln", "licence_number", "licence_valid_until"],
        ["H-001", "苏州市立医院", "hospital", gln, "PDY12345", date(2027, 6, 30)],
        ["D-002", "华东医药", "distributor", "", "苏食药监械经营许20180001号", "2026-12-31"],
    ]
    if fmt == "csv":
        customers[1][-1] = "2027-06-30"
    applied(upload(qa_a, "customers", customers, fmt=fmt), qa_a)
    hospital = Customer.objects.get(code="H-001")
    assert (hospital.gln, hospital.licence_valid_until) == (gln, date(2027, 6, 30))

    bad = [customers[0], ["H-002", "医院", "hospital", gln[:-1] + "0", "", "31/12/2026"]]
    report = upload(qa_a, "customers", bad)
    assert {(p["column"], p["rule"]) for p in report.problems} == {("licence_valid_until", "date")}
    bad[1][-1] = ""
    report = upload(qa_a, "customers", bad)
    if gln[-1] != "0":
        assert [(p["column"], p["rule"]) for p in report.problems] == [("gln", "validation_error")]


def test_supplier_status_is_not_a_column(qa_a):
    batch = upload(qa_a, "suppliers", [["code", "name", "status"], ["S1", "甲", "approved"]])
    assert [(p["column"], p["rule"]) for p in batch.problems] == [("status", "unknown_column")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_boms_create_a_draft_per_product_and_never_approve(qa_a, fmt):
    applied(upload(qa_a, "items", ITEMS), qa_a)
    rows = [
        ["product", "note", "component", "quantity", "unit", "tolerance_percent",
         "trace_required"],
        ["IS-2001", "首版", "CP-TUBE", 1.5, "M", 2, "yes"],
        ["IS-2001", "首版", "RM-PVC", "0.0125", "", "", "no"],
    ]  # fmt: skip
    batch = upload(qa_a, "boms", rows, fmt=fmt)
    assert batch.counts == {"create": 2, "update": 0, "unchanged": 0}
    applied(batch, qa_a)
    bom = Bom.objects.get()
    assert (bom.version, bom.status, bom.note) == (1, VersionStatus.DRAFT, "首版")
    lines = [(line.component.code, line.quantity, line.unit, line.trace_required)
             for line in bom.lines.order_by("position")]  # fmt: skip
    assert lines == [
        ("CP-TUBE", Decimal("1.5"), "M", True),
        ("RM-PVC", Decimal("0.0125"), "KG", False),
    ]
    # The same lines again: the latest version already has them.
    again = upload(qa_a, "boms", rows, fmt=fmt)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2}
    rows[2][3] = "0.013"
    applied(upload(qa_a, "boms", rows, fmt=fmt), qa_a)
    assert list(Bom.objects.values_list("version", "status")) == [(2, "draft"), (1, "draft")]


def test_bom_rows_name_their_own_problems(qa_a):
    applied(upload(qa_a, "items", ITEMS), qa_a)
    rows = [
        ["product", "component", "quantity"],
        ["IS-2001", "CP-TUBE", "1"],
        ["IS-2001", "CP-NOPE", "1"],
        ["IS-2001", "cp-tube", "2"],
        ["IS-2001", "IS-2001", "1"],
        ["IS-2001", "RM-PVC", "0"],
        ["NOPE", "RM-PVC", "1"],
    ]
    batch = upload(qa_a, "boms", rows)
    assert {(p["row"], p["column"], p["rule"]) for p in batch.problems} == {
        (3, "component", "unknown_reference"),
        (4, "component", "duplicate"),
        (5, "component", "invalid_reference"),
        (6, "quantity", "min_value"),
        (7, "product", "unknown_reference"),
    }
    assert not Bom.objects.exists()


EQUIPMENT_HEADER = ["site", "code", "name", "equipment_type", "location", "calibration_required",
                    "calibration_interval_days", "last_calibrated_on"]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_equipment_by_site(qa_a, site_a, fmt):
    rows = [
        EQUIPMENT_HEADER,
        ["a1", "bal-01", "电子天平", "balance", "rcv", "yes", 365, "2026-01-15"],
        ["A1", "EXT-01", "挤出机", "extruder", "", "no", "", ""],
    ]
    applied(upload(qa_a, "equipment", rows, fmt=fmt), qa_a)
    balance = Equipment.objects.get(code="BAL-01")
    assert balance.location.code == "RCV"
    assert balance.calibration_due_on == date(2027, 1, 15)
    assert balance.status == "in_service"


def test_equipment_rows_respect_the_importers_roles_per_site(make_user, site_a, site_b):
    from medtrace.accounts.roles import Role

    supervisor = make_user("sup-a", (site_a, Role.PRODUCTION_SUPERVISOR), (site_b, Role.OPERATOR))
    rows = [
        EQUIPMENT_HEADER,
        ["A1", "LT-01", "泄漏测试仪", "leak_tester", "PRD", "yes", 180, "2026-02-01"],
        ["B1", "LT-01", "泄漏测试仪", "leak_tester", "", "no", "", ""],
        ["Z9", "LT-01", "泄漏测试仪", "leak_tester", "", "no", "", ""],
        ["A1", "LT-02", "泄漏测试仪", "leak_tester", "NOPE", "no", "", ""],
        ["A1", "LT-03", "泄漏测试仪", "leak_tester", "", "yes", "", ""],
    ]
    batch = upload(supervisor, "equipment", rows)
    assert {(p["row"], p["column"], p["rule"]) for p in batch.problems} == {
        (3, "site", "permission_denied"),
        (4, "site", "unknown_reference"),
        (5, "location", "unknown_reference"),
        (6, "calibration_interval_days", "validation_error"),
    }
    assert not Equipment.objects.exists()


def test_apply_twice_is_refused(qa_a):
    batch = applied(upload(qa_a, "items", ITEMS), qa_a)
    with pytest.raises(DomainError) as refused:
        services.apply_batch(batch=batch, user=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert Item.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="exchange.importbatch").count() == 1


def test_the_batch_audit_entry(qa_a):
    batch = applied(upload(qa_a, "items", ITEMS, reason="initial load"), qa_a)
    entry = AuditEntry.objects.get(object_type="exchange.importbatch")
    assert entry.action == "transition" and entry.object_id == str(batch.pk)
    assert entry.actor_id == qa_a.pk and entry.reason == "initial load"
    assert entry.changes["status"] == ["ready", "applied"]
    assert entry.changes["sha256"] == batch.sha256
    assert (entry.changes["rows"], entry.changes["create"]) == (3, 3)
    assert entry.organization_id == qa_a.organization_id


def test_a_stale_batch_goes_back_to_errors_with_the_new_report(qa_a, organization):
    rows = [ITEM_HEADER, ["IS-2001", "输液器", "", "raw_material", "", "", ""]]
    batch = upload(qa_a, "items", rows)
    assert batch.status == BatchStatus.READY
    item = catalog.create_item(
        organization=organization,
        code="IS-2001",
        name="输液器",
        kind=ItemKind.FINISHED_DEVICE,
        shelf_life_days=1095,
        by=qa_a,
    )
    catalog.create_device_identifier(
        item=item,
        issuing_agency="GS1",
        value=UNIT,
        brand="康滴",
        model_number="IS-2001",
        sterile=True,
        sterilization_method="eo",
        by=qa_a,
    )
    before = audit_count()
    with pytest.raises(DomainError) as refused:
        services.apply_batch(batch=batch, user=qa_a)
    assert refused.value.code == ErrorCode.CONFLICT
    assert "Nothing was imported" in str(refused.value.message)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ERRORS
    assert [(p["row"], p["column"]) for p in batch.problems] == [(2, "kind")]
    item.refresh_from_db()
    assert item.kind == ItemKind.FINISHED_DEVICE and audit_count() == before


def test_validate_again_after_the_missing_items_exist(qa_a):
    rows = [["product", "component", "quantity"], ["IS-2001", "CP-TUBE", "1"]]
    batch = upload(qa_a, "boms", rows)
    assert batch.status == BatchStatus.ERRORS
    applied(upload(qa_a, "items", ITEMS), qa_a)
    batch = services.revalidate_batch(batch=batch, user=qa_a)
    assert batch.status == BatchStatus.READY
    applied(batch, qa_a)
    assert Bom.objects.get().lines.count() == 1


def test_discard_is_final_and_audited(qa_a):
    batch = upload(qa_a, "items", ITEMS)
    services.discard_batch(batch=batch, user=qa_a)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    for operation in (services.apply_batch, services.revalidate_batch, services.discard_batch):
        with pytest.raises(DomainError):
            operation(batch=batch, user=qa_a)
    entry = AuditEntry.objects.get(object_type="exchange.importbatch")
    assert entry.changes == {"status": ["ready", "discarded"]}
    assert not Item.objects.exists()


def test_the_same_file_applied_before_is_pointed_out(qa_a):
    first = applied(upload(qa_a, "items", ITEMS), qa_a)
    again = upload(qa_a, "items", ITEMS)
    assert again.report["applied_before"] == first.pk
    assert again.counts["unchanged"] == 3


def test_permissions_are_checked_per_kind(ra_a, operator_a):
    assert upload(ra_a, "items", ITEMS).status == BatchStatus.READY
    for user, kind in [(ra_a, "suppliers"), (operator_a, "items")]:
        with pytest.raises(DomainError) as refused:
            upload(user, kind, [["code", "name"], ["X", "x"]])
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert ImportBatch.objects.count() == 1
    batch = ImportBatch.objects.get()
    with pytest.raises(DomainError) as refused:
        services.apply_batch(batch=batch, user=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_organizations_never_meet(qa_a, outsider, pvc):
    """The outsider's RM-PVC is theirs; our file updates ours and reads nothing of theirs."""
    rows = [ITEM_HEADER, ["RM-PVC", "改名", "", "raw_material", "KG", "lot", 730]]
    ours = upload(qa_a, "items", rows)
    assert ours.counts["update"] == 1
    theirs = upload(outsider, "items", rows)
    assert theirs.counts["update"] == 1
    applied(ours, qa_a)
    names = dict(Item.objects.values_list("organization_id", "name"))
    assert names[qa_a.organization_id] == "改名"
    assert names[outsider.organization_id] == "他们的粒料"
    boms = [["product", "component", "quantity"], ["RM-PVC", "SECRET", "1"]]
    assert upload(qa_a, "boms", boms).problems[0]["rule"] == "unknown_reference"
    assert b"\xe4\xbb\x96\xe4\xbb\xac" not in services.export(user=qa_a, kind="items", fmt="csv")
