"""medtrace production work-orders / blockers: orders with their progress, and what keeps a
lot from release, as text and JSON."""

import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.production.services import outputs

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_work_orders_lists_progress(planned, released, operator_a):
    outputs.record(released, quantity="40", by=operator_a)
    result = runner.invoke(app, ["production", "work-orders", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["number"]: row for row in json.loads(result.output)}
    assert (rows[released.number]["status"], rows[released.number]["made"]) == ("in_progress", "40")
    assert rows[released.number]["lot"] == released.lot.lot_number
    text = runner.invoke(
        app, ["production", "work-orders", "--site", "a1", "--status", "in_progress"]
    )
    assert released.number in text.output and "1 work orders" in text.output
    bad = runner.invoke(app, ["production", "work-orders", "--status", "lost"])
    assert bad.exit_code == 1 and "unknown status" in bad.output


def test_blockers_names_what_is_missing_and_who_may_not_release(released, operator_a):
    outputs.record(released, quantity="40", by=operator_a)
    result = runner.invoke(app, ["production", "blockers", released.number.lower(), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert "Operation 10 注塑 is Not started." in body["blockers"]
    assert body["participants"] == [{"user": "operator-a", "did": "recorded output"}]
    text = runner.invoke(app, ["production", "blockers", released.number])
    assert "Operation 20 装配" in text.output and "may not release: operator-a" in text.output
    assert runner.invoke(app, ["production", "blockers", "WO-1999-0001"]).exit_code == 1
