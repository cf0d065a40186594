"""medtrace purchasing expected: open lines by expected date, as text and JSON."""

import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_expected_lists_open_lines(released):
    result = runner.invoke(app, ["purchasing", "expected", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert (row["order"], row["item"], row["open"], row["overdue"]) == (
        released.order.number, "PVC-100", "100", False,
    )  # fmt: skip
    text = runner.invoke(app, ["purchasing", "expected", "--site", "A1"])
    assert released.order.number in text.output
    assert runner.invoke(app, ["purchasing", "expected", "--site", "ZZ"]).exit_code == 1
