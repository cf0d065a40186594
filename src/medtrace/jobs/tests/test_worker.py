import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.tests.conftest import T0
from medtrace.jobs.worker import run_pass, run_worker

pytestmark = pytest.mark.django_db


def run_alone(job):
    """Run this one job (a worker pass would also run the periodic jobs that are due)."""
    now = timezone.now()
    assert services.try_claim(job.pk, status=job.status, worker_id="w1", now=now)
    return services.run_claimed(Job.objects.get(pk=job.pk))


def test_worker_once_runs_queued_jobs_end_to_end(test_jobs):
    job = services.enqueue("test.echo", arguments={"n": 7})
    ran = run_worker(once=True, worker_id="test-worker")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.claimed_by == "test-worker"
    assert test_jobs == [{"n": 7}]
    # The same pass queued and ran the periodic jobs of the current period.
    assert Job.objects.filter(name="test.hourly", status=JobStatus.SUCCEEDED).exists()
    assert ran == Job.objects.filter(status=JobStatus.SUCCEEDED).count()


def test_a_pass_recovers_schedules_and_drains(test_jobs):
    services.enqueue("test.echo", run_after=T0)
    services.enqueue("test.count", run_after=T0)
    ran = run_pass("w1", now=T0)
    assert ran == Job.objects.count()
    assert not Job.objects.exclude(status=JobStatus.SUCCEEDED).exists()


def test_a_set_stop_event_ends_the_worker_before_any_job(test_jobs):
    services.enqueue("test.echo")
    stop = threading.Event()
    stop.set()
    assert run_worker(stop_event=stop, poll_seconds=0.01) == 0
    assert Job.objects.get().status == JobStatus.QUEUED


def test_clear_expired_sessions_job(test_jobs):
    expired = SessionStore()
    expired.set_expiry(-60)
    expired.create()
    live = SessionStore()
    live.create()
    job = run_alone(services.enqueue("sessions.clear_expired"))
    assert job.status == JobStatus.SUCCEEDED
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_prune_job_reports_how_many_it_deleted(test_jobs):
    old = services.enqueue("test.echo")
    Job.objects.filter(pk=old.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now() - timezone.timedelta(days=40)
    )
    job = run_alone(services.enqueue("jobs.prune"))
    assert job.status == JobStatus.SUCCEEDED and job.result == {"deleted": 1}
    assert not Job.objects.filter(pk=old.pk).exists()
