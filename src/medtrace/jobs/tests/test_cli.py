import pytest
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.cli import jobs as jobs_cli
from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.worker import run_pass

pytestmark = pytest.mark.django_db

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def worker_between_polls(monkeypatch):
    """Instead of sleeping, `jobs run --wait` lets a worker pass run: no timing involved."""
    monkeypatch.setattr(jobs_cli, "_sleep", lambda seconds: run_pass("cli-test-worker"))


def test_run_wait_follows_the_job_to_success(test_jobs, worker_between_polls):
    result = runner.invoke(app, ["jobs", "run", "test.count", "--arguments", '{"to": 3}', "--wait"])
    assert result.exit_code == 0, result.output
    job = Job.objects.get(name="test.count")
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == 3
    assert f"Job #{job.pk} test.count succeeded." in result.output
    assert '"counted": 3' in result.output


def test_run_wait_exits_non_zero_when_the_job_fails(test_jobs, worker_between_polls):
    result = runner.invoke(app, ["jobs", "run", "test.flaky", "--wait"])
    assert result.exit_code == 1
    assert "ended failed" in result.output and "the far end is down" in result.output


def test_run_refuses_an_unknown_job(test_jobs):
    result = runner.invoke(app, ["jobs", "run", "test.nope"])
    assert result.exit_code == 1 and "no background job named test.nope" in result.output
    assert not Job.objects.exists()


def test_run_without_wait_only_queues(test_jobs):
    result = runner.invoke(app, ["jobs", "run", "test.echo", "--arguments", '{"a": 1}'])
    assert result.exit_code == 0
    assert Job.objects.get().status == JobStatus.QUEUED


def test_worker_once_and_list(test_jobs):
    services.enqueue("test.echo", arguments={"from": "cli"})
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert test_jobs == [{"from": "cli"}]
    listing = runner.invoke(app, ["jobs", "list", "--status", "succeeded"])
    assert listing.exit_code == 0 and "test.echo" in listing.output
    wrong = runner.invoke(app, ["jobs", "list", "--status", "nope"])
    assert wrong.exit_code == 1
