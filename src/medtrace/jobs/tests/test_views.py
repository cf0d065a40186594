import pytest

from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.tests.conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_job(test_jobs):
    services.enqueue("test.broken", run_after=T0)
    return services.run_claimed(services.claim_next("w1", now=T0), now=T0)


def test_list_filters_by_status(client, admin_a, dead_job):
    services.enqueue("test.echo")
    client.force_login(admin_a)
    page = client.get("/jobs/").content.decode()
    assert "test.broken" in page and "test.echo" in page
    assert "Run now" in page and "test.hourly" in page
    dead = client.get("/jobs/status/dead/").content.decode()
    assert "test.broken" in dead and "test.echo" not in dead
    assert client.get("/jobs/status/nonsense/").status_code == 404
    assert "test.echo" not in client.get("/jobs/?q=broken").content.decode()


def test_list_is_paginated_in_constant_queries(
    client, admin_a, test_jobs, django_assert_max_num_queries
):
    for _n in range(60):
        services.enqueue("test.echo", by=admin_a)
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        response = client.get("/jobs/")
    assert response.context["page"].paginator.num_pages == 2
    assert "Page 1 of 2" in response.content.decode()


def test_detail_shows_error_log_and_retry(client, admin_a, dead_job):
    client.force_login(admin_a)
    page = client.get(f"/jobs/{dead_job.pk}/").content.decode()
    assert "no such record" in page
    assert "giving up" in page
    assert f'action="/jobs/{dead_job.pk}/retry/"' in page
    assert 'hx-trigger="every 2s"' not in page, "a finished job is not polled"


def test_retry_button_requeues(client, admin_a, dead_job):
    client.force_login(admin_a)
    response = client.post(f"/jobs/{dead_job.pk}/retry/")
    assert response.status_code == 302
    dead_job.refresh_from_db()
    assert dead_job.status == JobStatus.QUEUED
    again = client.post(f"/jobs/{dead_job.pk}/retry/", follow=True)
    assert "only failed or dead jobs can be retried" in again.content.decode()


def test_running_job_panel_polls_with_progress(client, admin_a, test_jobs):
    job = services.enqueue("test.count", run_after=T0)
    services.claim_next("w1", now=T0)
    Job.objects.filter(pk=job.pk).update(progress_done=3, progress_total=10, progress_label="lots")
    client.force_login(admin_a)
    full = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<html" in full and 'hx-trigger="every 2s"' in full
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert f'hx-get="/jobs/{job.pk}/"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert '<progress class="progress" max="10" value="3">' in fragment and "lots" in fragment


def test_run_now_queues_the_periodic_job(client, admin_a, test_jobs):
    client.force_login(admin_a)
    response = client.post("/jobs/run-now/", {"name": "test.hourly"})
    job = Job.objects.get(name="test.hourly")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.created_by == admin_a
    refused = client.post("/jobs/run-now/", {"name": "test.echo"}, follow=True)
    assert "not a declared periodic job" in refused.content.decode()


def test_qa_manager_sees_no_jobs(client, qa_a, dead_job):
    client.force_login(qa_a)
    assert client.get("/jobs/").status_code == 403
    assert client.get(f"/jobs/{dead_job.pk}/").status_code == 403
    assert client.post(f"/jobs/{dead_job.pk}/retry/").status_code == 403
    assert client.post("/jobs/run-now/", {"name": "test.hourly"}).status_code == 403
    dead_job.refresh_from_db()
    assert dead_job.status == JobStatus.DEAD


def test_menu_offers_jobs_to_administrators_only(client, admin_a, qa_a):
    client.force_login(admin_a)
    assert 'href="/jobs/"' in client.get("/").content.decode()
    client.force_login(qa_a)
    assert 'href="/jobs/"' not in client.get("/").content.decode()


def test_visitor_is_sent_to_sign_in(client, db):
    assert client.get("/jobs/")["Location"].startswith("/accounts/login/")
