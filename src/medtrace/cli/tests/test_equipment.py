"""medtrace equipment due: calibrations and maintenance due within N days, overdue flagged."""

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from medtrace.cli import app

runner = CliRunner()


@pytest.mark.django_db
def test_due_lists_calibrations_and_maintenance(site_a, site_b, qa_a):
    from medtrace.equipment import services
    from medtrace.equipment.services import maintenance
    from medtrace.equipment.services.usability import site_day

    today = site_day(site_a)
    services.create_equipment(
        site=site_a, code="BAL-01", name="天平", equipment_type="balance",
        calibration_required=True, calibration_interval_days=365,
        last_calibrated_on=today - timedelta(days=370),
    )  # fmt: skip
    tester = services.create_equipment(
        site=site_a, code="LT-01", name="测漏仪", equipment_type="leak_tester",
        calibration_required=True, calibration_interval_days=180,
        last_calibrated_on=today - timedelta(days=170),
    )  # fmt: skip
    services.create_equipment(
        site=site_b, code="DL-01", name="记录仪", equipment_type="thermometer",
        calibration_required=True, calibration_interval_days=365,
        last_calibrated_on=date(2000, 1, 1),
    )  # fmt: skip
    maintenance.create_plan(
        equipment=tester, task="更换密封圈", interval_days=90, by=qa_a,
        next_due_on=today - timedelta(days=3),
    )  # fmt: skip
    result = runner.invoke(app, ["equipment", "due", "--site", "A1", "--days", "30", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["equipment"], r["what"], r["overdue"]) for r in rows] == [
        ("BAL-01", "calibration", True),
        ("LT-01", "maintenance", True),
        ("LT-01", "calibration", False),
    ]
    text = runner.invoke(app, ["equipment", "due", "--days", "5"])
    assert text.exit_code == 0
    assert "DL-01" in text.output and "OVERDUE" in text.output and "LT-01" in text.output
    assert "更换密封圈" in text.output
    assert "3 due within 5 days, 3 overdue" in text.output
    assert runner.invoke(app, ["equipment", "due", "--site", "ZZ"]).exit_code == 1
