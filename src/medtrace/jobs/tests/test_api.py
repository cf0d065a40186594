import pytest

from medtrace.accounts.services import create_api_token
from medtrace.jobs import services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.tests.conftest import T0

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
