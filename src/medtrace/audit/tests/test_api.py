# ruff: noqa: F811 (fixtures imported from trail.py are test parameters)
import pytest
from django.db import connection

from medtrace.accounts.services import create_api_token
from medtrace.audit import immutability
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.audit.tests.trail import auditor_a, private_data_dir, trail  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_data_dir")]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_list_is_scoped_paginated_and_newest_first(client, qa_b, auditor_a, trail):
    client.force_login(qa_b)
    body = client.get("/api/v1/audit/entries").json()
    seen = {item["id"] for item in body["items"]}
    assert body["count"] == len(seen)
    assert trail.bin_b.pk in seen and trail.sign_in.pk in seen
    assert trail.rename.pk not in seen and trail.deviation.pk not in seen
    times = [item["at"] for item in body["items"]]
    assert times == sorted(times, reverse=True)
    client.force_login(auditor_a)
    first = client.get("/api/v1/audit/entries", {"page_size": 2}).json()
    assert len(first["items"]) == 2 and first["count"] > 2


def test_list_filters(client, auditor_a, qa_b, trail, site_a):
    client.force_login(auditor_a)
    url = "/api/v1/audit/entries"
    assert ids(client.get(url, {"action": "change"})) == {trail.rename.pk}
    assert ids(client.get(url, {"user": qa_b.pk})) == {trail.sign_in.pk}
    assert trail.rename.pk in ids(client.get(url, {"site": "A1"}))
    assert trail.sign_in.pk not in ids(client.get(url, {"site": "A1"}))
    assert trail.sign_in.pk in ids(client.get(url, {"site": "-"}))
    assert ids(client.get(url, {"site": "B1"})) == set(), "not the auditor's site"
    assert ids(client.get(url, {"q": "DV-0042"})) == {trail.deviation.pk}
    assert ids(client.get(url, {"date_to": "2020-03-04"})) == {trail.deviation.pk}
    located = ids(
        client.get(url, {"object_type": "org.location", "object_id": str(trail.store.pk)})
    )
    assert {trail.rename.pk, trail.deviation.pk} <= located
    assert client.get(url, {"action": "dance"}).status_code == 422


def test_entry_detail(client, qa_a, qa_b, trail):
    client.force_login(qa_a)
    body = client.get(f"/api/v1/audit/entries/{trail.rename.pk}").json()
    assert body["action"] == "change" and body["site"] == "A1"
    assert body["chain"] == f"org:{qa_a.organization_id}"
    assert body["changes"]["name"] == ["合格品库", "原料库"]
    assert body["entry_hash"] == trail.rename.entry_hash
    assert client.get(f"/api/v1/audit/entries/{trail.sign_in.pk}").json()["site"] is None
    client.force_login(qa_b)
    response = client.get(f"/api/v1/audit/entries/{trail.rename.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_record_history(client, qa_a, qa_b, trail):
    url = f"/api/v1/audit/history/org.location/{trail.store.pk}"
    client.force_login(qa_a)
    body = client.get(url).json()
    actions = [item["action"] for item in body["items"]]
    assert actions == ["change", "create", "transition"], "newest first"
    assert {item["object_id"] for item in body["items"]} == {str(trail.store.pk)}
    client.force_login(qa_b)
    assert client.get(url).status_code == 404, "the location's site is not qa-b's"
    assert client.get("/api/v1/audit/history/org.location/nope").status_code == 404
    assert client.get("/api/v1/audit/history/org.site/999999").status_code == 404
    own = client.get(f"/api/v1/audit/history/accounts.user/{qa_b.pk}").json()
    assert trail.sign_in.pk in {item["id"] for item in own["items"]}
    unknown = client.get("/api/v1/audit/history/audit.checkpoint/x")
    assert unknown.status_code == 200 and unknown.json()["count"] == 0


def test_reading_needs_the_permission(client, operator_a, trail):
    client.force_login(operator_a)
    for url in [
        "/api/v1/audit/entries",
        f"/api/v1/audit/entries/{trail.rename.pk}",
        f"/api/v1/audit/history/org.location/{trail.store.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "audit.view_auditentry" in response.json()["error"]["message"]
    client.logout()
    assert client.get("/api/v1/audit/entries").status_code == 401


def test_verify(client, qa_a, trail):
    client.force_login(qa_a)
    body = client.post("/api/v1/audit/verify").json()
    assert body["ok"] is True and body["problem"] is None and body["problem_at"] is None
    assert body["entries"] > 0 and body["checkpoints"] == 0
    assert [head["chain"] for head in body["heads"]] == [f"org:{qa_a.organization_id}"]
    assert AuditEntry.objects.filter(action=AuditAction.VERIFY, actor=qa_a).count() == 1


def test_verify_reports_the_tampered_entry(client, admin_a, trail):
    immutability.remove(connection)  # undone with the test's transaction
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET object_repr = %s WHERE id = %s",
            ["forged", trail.deviation.pk],
        )
    client.force_login(admin_a)
    body = client.post("/api/v1/audit/verify").json()
    assert body["ok"] is False
    assert body["problem_at"]["sequence"] == trail.deviation.sequence
    assert f"entry {trail.deviation.sequence}" in body["problem"]


def test_verify_is_refused_without_the_permission(client, auditor_a, site_a, trail):
    client.force_login(auditor_a)
    response = client.post("/api/v1/audit/verify")
    assert response.status_code == 403
    assert "audit.verify_chain" in response.json()["error"]["message"]
    assert not AuditEntry.objects.filter(action=AuditAction.VERIFY).exists()


def test_tokens_read_their_sites_and_a_read_only_token_cannot_verify(client, qa_a, site_a, trail):
    _token, secret = create_api_token(
        user=qa_a, name="reader", sites=[site_a], can_write=False, expires_in_days=7, by=qa_a
    )
    auth = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/audit/entries", headers=auth)
    assert trail.rename.pk in ids(listed)
    response = client.post("/api/v1/audit/verify", headers=auth)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
