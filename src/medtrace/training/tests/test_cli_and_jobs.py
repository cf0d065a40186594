"""`medtrace training overdue` and `can-perform`, the daily requalification job, and open
training in `medtrace quality tasks`."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.jobs.registry import registry
from medtrace.training.models import TrainingAssignment, TrainingRecord
from medtrace.training.tests.fixtures import assignment_of, make_overdue, sign

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_overdue_lists_open_training_past_its_date(operator_a, second_operator_a, in_force):
    assert "no overdue training" in runner.invoke(app, ["training", "overdue"]).output
    make_overdue(assignment_of(second_operator_a), days=5)
    result = runner.invoke(app, ["training", "overdue", "--site", "a1"])
    assert result.exit_code == 0, result.output
    assert "operator-a2" in result.output and "5 days overdue" in result.output
    assert "operator-a " not in result.output
    rows = json.loads(runner.invoke(app, ["training", "overdue", "--json"]).output)
    assert [(row["trainee"], row["document"]) for row in rows] == [("operator-a2", "SOP-0001")]
    assert runner.invoke(app, ["training", "overdue", "--site", "zz"]).exit_code == 1


def test_can_perform_exits_by_the_verdict(operator_a, second_operator_a, in_force, bonding):
    sign(operator_a)
    where = [str(bonding.routing_id), str(bonding.position)]
    allowed = runner.invoke(app, ["training", "can-perform", "operator-a", *where])
    assert allowed.exit_code == 0 and "allowed" in allowed.output
    refused = runner.invoke(app, ["training", "can-perform", "operator-a2", *where])
    assert refused.exit_code == 1 and "not trained on SOP-0001 rev. 1" in refused.output
    past = runner.invoke(
        app, ["training", "can-perform", "operator-a", *where, "--at", "2020-01-01T00:00+00:00",
              "--json"],
    )  # fmt: skip
    assert past.exit_code == 1 and json.loads(past.output)["allowed"] is False
    assert runner.invoke(app, ["training", "can-perform", "nobody", *where]).exit_code == 1
    missing = runner.invoke(app, ["training", "can-perform", "operator-a", where[0], "99"])
    assert missing.exit_code == 1 and "no operation at position 99" in missing.output


def test_open_training_shows_in_quality_tasks(operator_a, in_force):
    result = runner.invoke(app, ["quality", "tasks", "operator-a", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["training"]
    assert row["number"] == "SOP-0001 rev. 1" and row["due_on"]


def test_the_daily_job_assigns_lapsed_qualifications_again(operator_a, in_force):
    from medtrace.jobs import services as jobs

    spec = next(p for p in registry.periodic_jobs() if p.name == "training.requalify_lapsed")
    assert spec.every == timedelta(days=1)
    record = sign(operator_a)
    TrainingRecord.objects.filter(pk=record.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    queued = jobs.run_now("training.requalify_lapsed")
    claimed = jobs.claim_next("w1")
    assert claimed.pk == queued.pk
    finished = jobs.run_claimed(claimed)
    assert finished.status == "succeeded", finished.last_error
    assert finished.result == {"assigned": 1}
    [line] = finished.log_lines.values_list("message", flat=True).filter(
        message__contains="retrain"
    )
    assert line.startswith("operator-a: retraining on")
    again = TrainingAssignment.objects.get(trainee=operator_a, status="open")
    assert "lapsed" in again.reason
