"""worker, jobs list, jobs run: the background-job queue from the command line."""

import json
import time

import typer

from medtrace.cli.common import (
    console,
    die,
    refuse_pending_migrations,
    setup_django,
)

app = typer.Typer(help="Background jobs: list them, run one.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.command("worker")(worker)
    root.add_typer(app, name="jobs")


def worker(
    once: bool = typer.Option(False, "--once", help="Run the jobs due now, then exit."),
    poll: float = typer.Option(2.0, "--poll", min=0.1, help="Seconds to wait when idle."),
):
    """Run background jobs (and queue the periodic ones) until stopped with Ctrl-C or SIGTERM."""
    setup_django()
    refuse_pending_migrations()
    from medtrace.jobs.worker import run_worker

    ran = run_worker(poll_seconds=poll, once=once)
    if once:
        console.print(f"Ran {ran} job(s).")


@app.command("list")
def list_jobs(
    status: str = typer.Option("", help="Only jobs in this status (queued, running, …)."),
    limit: int = typer.Option(20, min=1, help="How many of the newest jobs to show."),
):
    """The newest jobs with their status, attempts and progress."""
    setup_django()
    from rich.table import Table

    from medtrace.jobs.choices import JobStatus
    from medtrace.jobs.models import Job

    jobs = Job.objects.select_related("created_by").order_by("-pk")
    if status:
        if status not in JobStatus.values:
            die(f"unknown status {status!r}; use one of: {', '.join(JobStatus.values)}")
        jobs = jobs.filter(status=status)
    table = Table()
    for column in ("id", "job", "status", "attempts", "progress", "run after", "finished", "error"):
        table.add_column(column, overflow="fold")
    for job in jobs[:limit]:
        progress = f"{job.progress_done}/{job.progress_total}" if job.progress_total else "—"
        error = job.last_error.strip().splitlines()[-1] if job.last_error.strip() else ""
        table.add_row(
            str(job.pk),
            job.name,
            job.status,
            f"{job.attempts}/{job.max_attempts}",
            progress,
            f"{job.run_after:%Y-%m-%d %H:%M:%S}",
            f"{job.finished_at:%Y-%m-%d %H:%M:%S}" if job.finished_at else "—",
            error[:80],
        )
    console.print(table)


@app.command("run")
def run(
    name: str = typer.Argument(..., help="The job's name, e.g. jobs.prune."),
    arguments: str = typer.Option("{}", help="The job's arguments as a JSON object."),
    wait: bool = typer.Option(
        False, "--wait", help="Show its progress until it ends (a worker must be running)."
    ),
    poll: float = typer.Option(1.0, "--poll", min=0.1, help="Seconds between progress checks."),
):
    """Queue a job now; with --wait, follow it and exit non-zero unless it succeeds."""
    setup_django()
    from medtrace.core.errors import DomainError
    from medtrace.jobs import services
    from medtrace.jobs.choices import JobStatus

    try:
        parsed = json.loads(arguments)
    except ValueError as exc:
        die(f"--arguments is not JSON: {exc}")
    try:
        job = services.enqueue(name, arguments=parsed)
    except DomainError as error:
        die(str(error.message))
    console.print(f"Queued job #{job.pk} {job.name}.")
    if not wait:
        return
    job = _follow(job.pk, poll)
    if job.status != JobStatus.SUCCEEDED:
        error = job.last_error.strip().splitlines()[-1] if job.last_error.strip() else ""
        die(f"job #{job.pk} {job.name} ended {job.status}: {error}")
    console.print(f"Job #{job.pk} {job.name} succeeded.")
    if job.result is not None:
        console.print_json(data=job.result)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _follow(job_id: int, poll: float):
    """Poll the job row until it leaves queued/running, drawing its progress as a bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from medtrace.jobs.choices import ACTIVE, JobStatus
    from medtrace.jobs.models import Job

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("queued", total=None)
        while True:
            job = Job.objects.get(pk=job_id)
            if job.status == JobStatus.QUEUED:
                description = "queued, waiting for a worker"
            else:
                description = job.progress_label or job.status
            bar.update(
                task,
                description=description,
                completed=job.progress_done,
                total=job.progress_total,
            )
            if job.status not in ACTIVE:
                return job
            _sleep(poll)
