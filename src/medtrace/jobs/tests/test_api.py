import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_api_token, create_user
from medtrace.audit.models import AuditEntry
from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.tests.conftest import T0
from medtrace.org.models import Site
from medtrace.org.services import grant_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_job(test_jobs):
    services.enqueue("test.broken", arguments={"id": 9}, run_after=T0)
    return services.run_claimed(services.claim_next("w1", now=T0), now=T0)


def test_list_and_filter(client, admin_a, dead_job):
    services.enqueue("test.echo")
    client.force_login(admin_a)
    body = client.get("/api/v1/jobs").json()
    assert body["count"] == 2
    assert [item["name"] for item in body["items"]] == ["test.echo", "test.broken"]
    dead = client.get("/api/v1/jobs", {"status": "dead"}).json()
    assert [item["id"] for item in dead["items"]] == [dead_job.pk]
    assert client.get("/api/v1/jobs", {"status": "bogus"}).status_code == 422


def test_detail_has_error_and_log(client, admin_a, dead_job):
    client.force_login(admin_a)
    body = client.get(f"/api/v1/jobs/{dead_job.pk}").json()
    assert body["status"] == "dead" and body["arguments"] == {"id": 9}
    assert "no such record" in body["last_error"]
    assert body["log"][-1]["level"] == "error"
    missing = client.get("/api/v1/jobs/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_retry(client, admin_a, dead_job):
    client.force_login(admin_a)
    response = client.post(f"/api/v1/jobs/{dead_job.pk}/retry")
    assert response.status_code == 200 and response.json()["status"] == JobStatus.QUEUED
    again = client.post(f"/api/v1/jobs/{dead_job.pk}/retry")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"


def test_non_administrators_are_refused(client, qa_a, dead_job):
    client.force_login(qa_a)
    for response in (
        client.get("/api/v1/jobs"),
        client.get(f"/api/v1/jobs/{dead_job.pk}"),
        client.post(f"/api/v1/jobs/{dead_job.pk}/retry"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_read_only_token_may_look_but_not_retry(client, admin_a, site_a, dead_job):
    _token, secret = create_api_token(
        user=admin_a, name="ro", sites=[site_a], can_write=False, expires_in_days=1, by=admin_a
    )
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    refused = client.post(f"/api/v1/jobs/{dead_job.pk}/retry", headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "token_read_only"


def _job_entries():
    return AuditEntry.objects.filter(object_type="jobs.job")


def test_run_now_queues_the_periodic_job_once(client, admin_a, organization, test_jobs):
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/jobs/run-now", {"name": "test.hourly"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    job = Job.objects.get(name="test.hourly")
    body = response.json()
    assert body["id"] == job.pk and body["status"] == JobStatus.QUEUED
    assert body["created_by"] == "admin-a" and job.organization == organization
    entry = _job_entries().get(object_id=job.pk)
    assert entry.action == "create" and entry.changes == {"name": [None, "test.hourly"]}
    again = client.post(
        "/api/v1/jobs/run-now", {"name": "test.hourly"}, content_type="application/json"
    )
    assert again.status_code == 202 and again.json()["id"] == job.pk
    assert Job.objects.count() == 1 and _job_entries().count() == 1


def test_run_now_refuses_a_name_that_is_not_a_periodic_job(client, admin_a, test_jobs):
    client.force_login(admin_a)
    for name in ("test.echo", "no.such.job"):
        response = client.post(
            "/api/v1/jobs/run-now", {"name": name}, content_type="application/json"
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert error["message"] == f"{name} is not a declared periodic job."
    assert not Job.objects.exists() and not _job_entries().exists()


def test_run_now_needs_the_administrators_role_and_a_read_write_token(
    client, admin_a, qa_a, site_a, test_jobs
):
    body = {"name": "test.hourly"}
    client.force_login(qa_a)
    refused = client.post("/api/v1/jobs/run-now", body, content_type="application/json")
    assert refused.status_code == 403 and "jobs.change_job" in refused.json()["error"]["message"]
    client.logout()
    _token, secret = create_api_token(
        user=admin_a, name="ro", sites=[site_a], can_write=False, expires_in_days=1, by=admin_a
    )
    refused = client.post(
        "/api/v1/jobs/run-now",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "token_read_only"
    assert not Job.objects.exists() and not _job_entries().exists()


def test_run_now_shows_no_job_of_another_organization(client, admin_a, stranger, test_jobs):
    """Their administrator's press is waiting: ours queues nothing more and shows nothing of it."""
    site = Site.objects.get(organization=stranger.organization)
    theirs = create_user(
        organization=stranger.organization, username="their-admin", password=PASSWORD
    )
    grant_role(user=theirs, site=site, role=Role.SYSTEM_ADMIN)
    waiting = services.run_now("test.hourly", by=theirs)
    client.force_login(admin_a)
    response = client.post(
        "/api/v1/jobs/run-now", {"name": "test.hourly"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert list(Job.objects.values_list("pk", flat=True)) == [waiting.pk]
