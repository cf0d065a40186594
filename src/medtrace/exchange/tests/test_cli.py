"""medtrace import / export."""

import pytest
from typer.testing import CliRunner

from medtrace.catalog.models import Item
from medtrace.cli import app
from medtrace.exchange.models import ImportBatch
from medtrace.exchange.tests.conftest import ITEM_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

runner = CliRunner(env={"COLUMNS": "200"})
GOOD = [ITEM_HEADER, ["RM-PVC", "粒料", "", "raw_material", "KG", "lot", 730]]


def test_import_prints_the_report_and_exits_2_on_problems(tmp_path, qa_a):
    sheet = tmp_path / "items.csv"
    sheet.write_bytes(csv_bytes([*GOOD, ["RM-ABS", "树脂", "", "resin", "KG", "lot", 730]]))
    result = runner.invoke(app, ["import", "items", str(sheet), "--user", "qa-a", "--apply"])
    assert result.exit_code == 2, result.output
    assert "row 3, column kind 'resin': [choice] resin is not one of" in result.output
    assert "Nothing was written." in result.output
    assert not Item.objects.exists()


def test_import_validates_then_applies(tmp_path, qa_a):
    sheet = tmp_path / "items.csv"
    sheet.write_bytes(csv_bytes(GOOD))
    checked = runner.invoke(app, ["import", "items", str(sheet), "--user", "qa-a"])
    assert checked.exit_code == 0, checked.output
    assert "1 to create" in checked.output and "--apply" in checked.output
    assert not Item.objects.exists()
    applied = runner.invoke(app, ["import", "items", str(sheet), "--user", "qa-a", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert Item.objects.get().code == "RM-PVC"
    assert ImportBatch.objects.filter(status="applied").count() == 1


def test_import_refusals(tmp_path, operator_a):
    sheet = tmp_path / "items.csv"
    sheet.write_bytes(csv_bytes(GOOD))
    wrong_kind = runner.invoke(app, ["import", "lots", str(sheet), "--user", "operator-a"])
    assert wrong_kind.exit_code == 1 and "unknown kind 'lots'" in wrong_kind.output
    nobody = runner.invoke(app, ["import", "items", str(sheet), "--user", "nobody"])
    assert nobody.exit_code == 1 and "no active user named 'nobody'" in nobody.output


def test_export(tmp_path, qa_a, pvc):
    out = tmp_path / "items.xlsx"
    result = runner.invoke(app, ["export", "items", "--user", "qa-a", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
    csv_out = tmp_path / "items.csv"
    result = runner.invoke(
        app, ["export", "items", "--user", "qa-a", "--format", "csv", "--out", str(csv_out)]
    )
    assert result.exit_code == 0 and "RM-PVC" in csv_out.read_text("utf-8-sig")
