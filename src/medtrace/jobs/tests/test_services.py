from datetime import timedelta

import pytest

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus, LogLevel
from medtrace.jobs.context import ClaimLost, JobContext
from medtrace.jobs.models import Job, JobLogLine
from medtrace.jobs.tests.conftest import T0

pytestmark = pytest.mark.django_db


def run_one(worker="w1", now=T0):
    job = services.claim_next(worker, now=now)
    assert job is not None, "nothing was due"
    return services.run_claimed(job, now=now)


def test_enqueue_records_who_and_the_job_settings(test_jobs, admin_a):
    job = services.enqueue("test.echo", arguments={"lot": "L1"}, by=admin_a, run_after=T0)
    assert job.status == JobStatus.QUEUED
    assert job.max_attempts == 3
    assert job.created_by == admin_a
    assert job.organization == admin_a.organization


def test_same_key_gives_back_the_first_job(test_jobs):
    first = services.enqueue("test.echo", arguments={"n": 1}, key="report-2030-05")
    again = services.enqueue("test.echo", arguments={"n": 2}, key="report-2030-05")
    assert again.pk == first.pk and again.arguments == {"n": 1}
    assert Job.objects.count() == 1
    services.enqueue("test.echo")
    services.enqueue("test.echo")
    assert Job.objects.count() == 3, "jobs without a key are never merged"


def test_unknown_job_is_refused_and_nothing_is_queued(test_jobs):
    with pytest.raises(DomainError) as refused:
        services.enqueue("test.nope")
    assert refused.value.code == ErrorCode.VALIDATION
    assert "test.nope" in str(refused.value.message)
    assert not Job.objects.exists()


def test_arguments_must_be_a_json_object(test_jobs):
    with pytest.raises(DomainError):
        services.enqueue("test.echo", arguments={"when": object()})
    with pytest.raises(DomainError):
        services.enqueue("test.echo", arguments=[1, 2])
    assert not Job.objects.exists()


def test_claim_is_exclusive(test_jobs):
    job = services.enqueue("test.echo", run_after=T0)
    # Two workers both saw the job queued; only the first conditional update wins.
    assert services.try_claim(job.pk, status=JobStatus.QUEUED, worker_id="w1", now=T0)
    assert not services.try_claim(job.pk, status=JobStatus.QUEUED, worker_id="w2", now=T0)
    assert services.claim_next("w2", now=T0) is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.claimed_by == "w1" and job.attempts == 1


def test_claim_waits_for_run_after_and_takes_the_oldest_first(test_jobs):
    later = services.enqueue("test.echo", run_after=T0 + timedelta(minutes=5))
    sooner = services.enqueue("test.echo", run_after=T0 - timedelta(minutes=5))
    assert services.claim_next("w1", now=T0).pk == sooner.pk
    assert services.claim_next("w1", now=T0) is None
    assert services.claim_next("w1", now=T0 + timedelta(minutes=5)).pk == later.pk


def test_a_successful_run_keeps_result_and_log(test_jobs):
    services.enqueue("test.echo", arguments={"lot": "L1"}, run_after=T0)
    job = run_one()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"echo": {"lot": "L1"}}
    assert job.finished_at == T0
    assert test_jobs == [{"lot": "L1"}]
    messages = list(job.log_lines.values_list("message", flat=True))
    assert messages[0] == "echo {'lot': 'L1'}" and messages[-1].startswith("Succeeded")


def test_failures_back_off_then_the_job_is_dead(test_jobs):
    job = services.enqueue("test.flaky", run_after=T0)
    job = run_one(now=T0)
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert job.run_after == T0 + timedelta(seconds=10)
    assert "the far end is down" in job.last_error
    assert services.claim_next("w1", now=T0 + timedelta(seconds=9)) is None

    second = T0 + timedelta(seconds=10)
    job = run_one(now=second)
    assert job.status == JobStatus.FAILED and job.attempts == 2
    assert job.run_after == second + timedelta(seconds=20)

    job = run_one(now=second + timedelta(seconds=20))
    assert job.status == JobStatus.DEAD and job.attempts == 3
    assert services.claim_next("w1", now=second + timedelta(days=1)) is None
    assert job.log_lines.filter(level=LogLevel.ERROR).count() == 3


def test_retry_delay_doubles_and_is_capped():
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert services.retry_delay(30) == services.RETRY_CAP


def test_permanent_failure_is_dead_at_once(test_jobs):
    services.enqueue("test.broken", run_after=T0)
    job = run_one()
    assert job.status == JobStatus.DEAD and job.attempts == 1
    assert "no such record" in job.last_error


def test_a_job_no_longer_declared_is_dead_not_retried(test_jobs):
    services.enqueue("test.echo", run_after=T0)
    from medtrace.jobs.registry import registry

    registry.unregister("test.echo")
    job = run_one()
    assert job.status == JobStatus.DEAD
    assert "no job named 'test.echo'" in job.last_error


def test_retry_requeues_a_dead_job_with_fresh_attempts(test_jobs, admin_a):
    services.enqueue("test.broken", run_after=T0)
    job = run_one()
    job = services.retry(job, by=admin_a, now=T0 + timedelta(minutes=1))
    assert job.status == JobStatus.QUEUED and job.attempts == 0
    assert job.log_lines.filter(message__startswith="Retried by admin-a after 1").exists()
    assert services.claim_next("w1", now=T0 + timedelta(minutes=1)).pk == job.pk


def test_retry_skips_the_back_off_of_a_failed_job(test_jobs, admin_a):
    services.enqueue("test.flaky", run_after=T0)
    job = run_one()
    job = services.retry(job, by=admin_a, now=T0 + timedelta(seconds=1))
    assert job.attempts == 1 and job.run_after == T0 + timedelta(seconds=1)


def test_only_failed_or_dead_jobs_can_be_retried(test_jobs, admin_a):
    job = services.enqueue("test.echo", run_after=T0)
    with pytest.raises(DomainError) as refused:
        services.retry(job, by=admin_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.log_lines.exists()


def test_stale_running_job_goes_back_to_the_queue(test_jobs):
    job = services.enqueue("test.echo", run_after=T0)
    services.claim_next("w1", now=T0)
    assert services.recover_stale(now=T0 + timedelta(minutes=5)) == []
    recovered = services.recover_stale(now=T0 + timedelta(minutes=5, seconds=1))
    assert [j.pk for j in recovered] == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert "No sign of life from worker w1" in job.last_error
    assert services.claim_next("w2", now=T0 + timedelta(minutes=6)).attempts == 2


def test_stale_job_without_attempts_left_is_dead(test_jobs):
    job = services.enqueue("test.echo", run_after=T0)
    Job.objects.filter(pk=job.pk).update(attempts=2)
    services.claim_next("w1", now=T0)
    services.recover_stale(now=T0 + timedelta(hours=1))
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD and job.attempts == 3


def test_a_recovered_job_cannot_be_finished_by_its_old_worker(test_jobs):
    services.enqueue("test.echo", run_after=T0)
    stale = services.claim_next("w1", now=T0)
    services.recover_stale(now=T0 + timedelta(hours=1))
    fresh = services.claim_next("w2", now=T0 + timedelta(hours=1))
    with pytest.raises(ClaimLost):
        JobContext(stale).progress(1, 2)
    services.run_claimed(stale, now=T0 + timedelta(hours=1))
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.RUNNING and fresh.claimed_by == "w2"


def test_progress_is_recorded_and_throttled(test_jobs):
    services.enqueue("test.count", arguments={"to": 4}, run_after=T0)
    job = services.claim_next("w1", now=T0)
    seconds = [0.0]
    context = JobContext(job, clock=lambda: seconds[0])

    def saved():
        return Job.objects.values_list("progress_done", "progress_total", "progress_label").get()

    context.progress(1, 4, "first")
    assert saved() == (1, 4, "first")
    seconds[0] = 0.5
    context.progress(2, 4, "second")  # within the interval: kept in memory only
    assert saved() == (1, 4, "first")
    seconds[0] = 1.0
    context.progress(3, 4, "third")  # the interval has passed: written
    assert saved() == (3, 4, "third")
    context.progress(4, 4, "last")  # the end is always written
    assert saved() == (4, 4, "last")


def test_a_run_ends_with_its_last_progress_saved(test_jobs):
    services.enqueue("test.count", arguments={"to": 50}, run_after=T0)
    job = run_one()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.progress_label) == (50, 50, "item 50")
    assert job.progress_percent == 100


def test_periodic_jobs_are_queued_once_per_period(test_jobs):
    queued = services.schedule_due_periodic(now=T0)
    hourly = [job for job in queued if job.name == "test.hourly"]
    assert len(hourly) == 1
    assert hourly[0].key == "test.hourly@2030-05-06T07:00:00+00:00"

    # A second scheduler in the same hour, or the same one a little later: nothing new. (The
    # apps' own periodic jobs are queued on their own offsets; this test is about its own.)
    def own(jobs):
        return [job.name for job in jobs if job.name.startswith("test.")]

    assert own(services.schedule_due_periodic(now=T0)) == []
    assert own(services.schedule_due_periodic(now=T0 + timedelta(minutes=40))) == []
    next_hour = services.schedule_due_periodic(now=T0 + timedelta(hours=1))
    assert own(next_hour) == ["test.hourly"]
    assert Job.objects.filter(name="test.hourly").count() == 2


def test_run_now_queues_a_periodic_job_once(test_jobs, admin_a):
    job = services.run_now("test.hourly", by=admin_a, now=T0)
    assert job.created_by == admin_a and job.key == ""
    assert services.run_now("test.hourly", by=admin_a, now=T0).pk == job.pk
    with pytest.raises(DomainError):
        services.run_now("test.echo", by=admin_a)


def test_prune_deletes_old_succeeded_jobs_only(test_jobs):
    old = T0 - timedelta(days=31)
    for status in (JobStatus.SUCCEEDED, JobStatus.DEAD, JobStatus.FAILED):
        job = services.enqueue("test.echo")
        Job.objects.filter(pk=job.pk).update(status=status, finished_at=old)
        JobLogLine.objects.create(job=job, message="done")
    recent = services.enqueue("test.echo")
    Job.objects.filter(pk=recent.pk).update(status=JobStatus.SUCCEEDED, finished_at=T0)
    assert services.prune(now=T0, batch_size=1) == 1
    assert set(Job.objects.values_list("status", flat=True)) == {
        JobStatus.SUCCEEDED,
        JobStatus.DEAD,
        JobStatus.FAILED,
    }
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).get().pk == recent.pk
    assert JobLogLine.objects.count() == 2
