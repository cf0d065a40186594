import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app

runner = CliRunner()


def test_sampling_prints_the_iso_2859_1_plan():
    result = runner.invoke(app, ["quality", "sampling", "--lot-size", "1000", "--aql", "1.0"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert "code letter J" in output and "inspect 80" in output
    assert "accept with 2" in output and "reject with 3" in output


def test_sampling_as_json_and_a_bad_aql_named():
    result = runner.invoke(
        app, ["quality", "sampling", "--lot-size", "500", "--aql", "1.0", "--json",
              "--severity", "tightened"],
    )  # fmt: skip
    assert json.loads(result.output)["plan_letter"] == "J"
    refused = runner.invoke(app, ["quality", "sampling", "--lot-size", "500", "--aql", "1.2"])
    assert refused.exit_code == 1 and "1.2" in refused.output


@pytest.mark.django_db
def test_tasks_lists_what_waits_on_the_user(make_user, site_a, qa_a):
    from medtrace.quality.choices import NcrSource, Severity
    from medtrace.quality.services import nonconformance as ncrs

    ncr = ncrs.open_nonconformance(
        site=site_a, title="Scratched housings", description="12 of 200.",
        source=NcrSource.FINAL, severity=Severity.MINOR, by=qa_a,
    )  # fmt: skip
    result = runner.invoke(app, ["quality", "tasks", "qa-a", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["nonconformances"]
    assert row["number"] == ncr.number and "start_review" in row["actions"]
    assert runner.invoke(app, ["quality", "tasks", "nobody"]).exit_code == 1
