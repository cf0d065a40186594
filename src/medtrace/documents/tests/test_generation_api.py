"""/api/v1/documents/generated: generating (the record with its download URL), listing what
the caller may see, the PDF, taking a skeleton in, and refusals that write nothing (an
unsupported market, a record of another site, a read-only token)."""

import hashlib

import pytest

from medtrace.accounts import services as accounts
from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.documents.tests.generation_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"


def post(client, path, body=None, **kwargs):
    return client.post(API + path, body or {}, content_type="application/json", **kwargs)


def test_generating_answers_the_record_and_its_pdf(client, qa_a, capa):
    client.force_login(qa_a)
    response = post(
        client, "/generated", {"template": "capa-report", "market": "eu", "subject_id": capa.number}
    )
    assert response.status_code == 201, response.content
    found = response.json()
    assert found["subject_type"] == "quality.capa" and found["subject_id"] == str(capa.pk)
    assert found["site"] == "A1" and found["language"] == "en" and found["document"] is None
    assert found["pdf"] == f"{API}/generated/{found['id']}/pdf"
    pdf = client.get(found["pdf"])
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == found["sha256"]
    listed = client.get(f"{API}/generated", {"template": "capa-report"}).json()
    assert [row["id"] for row in listed["items"]] == [found["id"]]
    assert client.get(f"{API}/generated", {"market": "nmpa"}).json()["count"] == 0


def test_a_skeleton_is_generated_and_taken_in(client, qa_a):
    client.force_login(qa_a)
    body = {"template": "sop-skeleton", "market": "nmpa", "site": "a1"}
    found = post(client, "/generated", {**body, "subject_id": "supplier_control"}).json()
    assert found["title"] == "供应商控制程序" and found["language"] == "zh-hans"
    response = post(client, f"/generated/{found['id']}/take-in", {"number": "SOP-0100"})
    assert response.status_code == 201 and response.json()["document"] == "SOP-0100"
    assert ControlledDocument.objects.get().number == "SOP-0100"
    again = post(client, f"/generated/{found['id']}/take-in")
    assert again.status_code == 409


def test_templates_are_listed_with_their_markets(client, operator_a):
    client.force_login(operator_a)
    templates = {t["key"]: t for t in client.get(f"{API}/templates").json()}
    assert templates["quality-manual"]["markets"] == ["nmpa", "fda", "eu"]
    assert templates["quality-manual"]["title_zh"] == "质量手册"
    assert ["recall", "Recall procedure"] in templates["sop-skeleton"]["subject_choices"]


def test_refusals_write_nothing(client, qa_a, qa_b, operator_a, site_a, capa):
    client.force_login(qa_b)
    response = post(
        client,
        "/generated",
        {"template": "capa-report", "market": "nmpa", "subject_id": str(capa.pk)},
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(f"{API}/generated").json()["count"] == 0
    response = post(
        client, "/generated", {"template": "quality-manual", "market": "nmpa", "site": "A1"}
    )
    assert response.status_code == 404  # a site the caller holds no role at
    client.force_login(operator_a)
    response = post(
        client, "/generated", {"template": "quality-manual", "market": "nmpa", "site": "A1"}
    )
    assert (
        response.status_code == 403
        and "add_controlleddocument" in response.json()["error"]["message"]
    )
    response = post(
        client, "/generated", {"template": "quality-manual", "market": "mars", "site": "A1"}
    )
    assert response.status_code == 422
    _token, secret = accounts.create_api_token(
        user=qa_a, name="reader", sites=[site_a], can_write=False, expires_in_days=30, by=qa_a
    )
    client.logout()
    response = post(
        client,
        "/generated",
        {"template": "capa-report", "market": "nmpa", "subject_id": str(capa.pk)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only"
    assert not GeneratedDocument.objects.exists()
