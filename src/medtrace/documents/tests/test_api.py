"""/api/v1/documents: registering, reading within the caller's sites, drafts hidden from
ordinary readers, the signed walk by transitions, files, printed copies, periodic review,
approval routes, and refusals that change nothing."""

import io
import zipfile

import pytest

from conftest import PASSWORD
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentCopy

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"


def post(client, path, body=None):
    return client.post(API + path, body or {}, content_type="application/json")


def test_registering_and_walking_a_document_to_effective(client, author_a, qa_a):
    client.force_login(author_a)
    response = post(
        client,
        "/documents",
        {"site": "a1", "document_type": "procedure", "title": "培训控制程序", "body": "# 目的"},
    )
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["number"] == "SOP-0001" and document["effective_revision"] is None
    revisions = client.get(f"{API}/documents/{document['id']}/revisions").json()
    draft = revisions[0]
    assert draft["status"] == "draft" and [a["name"] for a in draft["actions"]] == [
        "submit",
        "withdraw",
    ]
    response = post(client, f"/revisions/{draft['id']}/transitions/submit", {"password": PASSWORD})
    assert response.json()["status"] == "in_review"
    client.force_login(qa_a)
    response = post(client, f"/revisions/{draft['id']}/transitions/approve", {"password": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "signature_refused"
    response = post(client, f"/revisions/{draft['id']}/transitions/approve", {"password": PASSWORD})
    found = response.json()
    assert found["status"] == "effective"
    assert found["approvals"][0]["role"] == "qa_manager"
    assert found["approvals"][0]["signer"] == qa_a.printed_name
    assert client.get(f"{API}/documents/{document['id']}").json()["effective_revision"] == 1


def test_readers_see_effective_revisions_only(
    client, sop, effective_sop, author_a, operator_a, qa_b
):
    from medtrace.documents.services import revisions

    draft = revisions.new_draft(sop, by=author_a, change_summary="v2")
    client.force_login(operator_a)
    assert [r["revision"] for r in client.get(f"{API}/documents/{sop.pk}/revisions").json()] == [1]
    assert client.get(f"{API}/revisions/{draft.pk}").status_code == 404
    client.force_login(qa_b)
    assert client.get(f"{API}/documents").json()["items"] == []
    assert client.get(f"{API}/documents/{sop.pk}").status_code == 404


def test_an_operator_cannot_register_and_nothing_is_written(client, operator_a):
    client.force_login(operator_a)
    response = post(client, "/documents", {"site": "a1", "document_type": "form", "title": "x"})
    assert response.status_code in (403, 404)
    assert not ControlledDocument.objects.exists()


def test_uploading_a_file_to_a_draft(client, sop, author_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = sop.revisions.get()
    client.force_login(author_a)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    refused = client.post(
        f"{API}/revisions/{draft.pk}/file", {"file": SimpleUploadedFile("a.docx", b"<html>")}
    )
    assert refused.status_code == 422 and "does not match" in refused.json()["error"]["message"]
    response = client.post(
        f"{API}/revisions/{draft.pk}/file",
        {"file": SimpleUploadedFile("a.docx", docx.getvalue())},
    )
    assert response.status_code == 200, response.content
    assert response.json()["file_name"] == "a.docx"
    assert client.get(f"{API}/revisions/{draft.pk}/file").status_code == 200


def test_a_printed_copy_is_recorded(client, effective_sop, qa_a):
    client.force_login(qa_a)
    response = post(
        client, f"/revisions/{effective_sop.pk}/copies", {"controlled": True, "issued_to": "L1"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert DocumentCopy.objects.get().copy_number == 1


def test_periodic_review_and_routes(client, sop, effective_sop, qa_a, operator_a):
    client.force_login(qa_a)
    response = post(
        client, f"/documents/{sop.pk}/review",
        {"password": PASSWORD, "outcome": "revise", "note": "标准更新"},
    )  # fmt: skip
    assert response.status_code == 200
    assert sop.revisions.filter(status=RevisionStatus.DRAFT).exists()
    response = client.put(
        f"{API}/approval-routes/form",
        {"roles": ["qa_manager", "regulatory_affairs"]},
        content_type="application/json",
    )
    assert response.json()["roles"] == ["qa_manager", "regulatory_affairs"]
    client.force_login(operator_a)
    response = client.put(
        f"{API}/approval-routes/form", {"roles": ["operator"]}, content_type="application/json"
    )
    assert response.status_code == 403
    routes = {r["document_type"]: r["roles"] for r in client.get(f"{API}/approval-routes").json()}
    assert routes["form"] == ["qa_manager", "regulatory_affairs"]


def test_patching_a_document_and_its_draft(client, sop, author_a, operator_a):
    client.force_login(author_a)
    response = client.patch(
        f"{API}/documents/{sop.pk}",
        {"title_en": "NC control", "review_interval_months": 36, "reason": "英文标题"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_interval_months"] == 36
    draft = sop.revisions.get()
    response = client.patch(
        f"{API}/revisions/{draft.pk}", {"body": "# 新版"}, content_type="application/json"
    )
    assert response.json()["body"] == "# 新版"
    client.force_login(operator_a)
    response = client.patch(
        f"{API}/documents/{sop.pk}", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code in (403, 404)
    sop.refresh_from_db()
    assert sop.title == "不合格品控制程序"
