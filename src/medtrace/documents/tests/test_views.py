"""Document pages: the register scoped to the sites where a document is in force, drafts and
history only for those whose roles read them, registering a document, the signed walk from
draft to effective, printing a recorded and watermarked copy, the periodic review, and the
approval routes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.documents.choices import DocumentType, RevisionStatus
from medtrace.documents.models import ApprovalRoute, ControlledDocument, DocumentCopy
from medtrace.documents.services import documents

pytestmark = pytest.mark.django_db

LIST = "/documents/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_register_lists_documents_in_force_at_the_readers_sites(
    client, sop, effective_sop, operator_a, qa_b, site_a
):
    client.force_login(operator_a)
    body = text(client.get(LIST))
    assert "SOP-0001" in body and "rev. 1" in body
    client.force_login(qa_b)
    assert "SOP-0001" not in text(client.get(LIST))
    assert client.get(f"/documents/{sop.pk}/").status_code == 404


def test_the_register_filters_and_stays_within_a_few_queries(
    client, site_a, author_a, qa_a, sop, effective_sop
):
    for n in range(5):
        documents.create_document(
            site=site_a, document_type=DocumentType.FORM, title=f"表单 {n}",
            change_summary="First issue.", body="x", by=author_a,
        )  # fmt: skip
    client.force_login(qa_a)
    with CaptureQueriesContext(connection) as queries:
        body = text(client.get(LIST, {"state": "in_force"}))
    assert "SOP-0001" in body and "FRM-0001" not in body
    assert len(queries) <= 14, [q["sql"] for q in queries]
    assert "FRM-0003" in text(client.get(LIST, {"document_type": "form"}))


def test_an_operator_sees_the_effective_text_but_no_draft(
    client, sop, effective_sop, author_a, operator_a
):
    from medtrace.documents.services import revisions

    draft = revisions.new_draft(sop, by=author_a, change_summary="x", body="# 草稿内容")
    client.force_login(operator_a)
    body = text(client.get(f"/documents/{sop.pk}/"))
    assert "<h2>目的</h2>" in body and "草稿内容" not in body
    assert client.get(f"/documents/revisions/{draft.pk}/").status_code == 404


def test_registering_a_document_with_a_file(client, site_a, qa_a):
    client.force_login(qa_a)
    response = client.post(
        "/documents/new/",
        {
            "site": site_a.pk, "document_type": DocumentType.DRAWING, "title": "鲁尔接头图纸",
            "review_interval_months": 36, "change_summary": "First issue.", "owner": qa_a.pk,
            "file": SimpleUploadedFile("luer.pdf", b"%PDF-1.4 drawing"),
        },
    )  # fmt: skip
    document = ControlledDocument.objects.get()
    assert response.status_code == 302 and document.number == "DWG-0001"
    revision = document.revisions.get()
    assert revision.file_name == "luer.pdf"
    assert client.get(f"/documents/revisions/{revision.pk}/file/").status_code == 200


def test_a_refused_registration_shows_the_rule(client, site_a, qa_a, sop):
    client.force_login(qa_a)
    response = client.post(
        "/documents/new/",
        {
            "site": site_a.pk, "document_type": DocumentType.PROCEDURE, "number": "SOP-0001",
            "title": "x", "review_interval_months": 24, "change_summary": "x", "body": "x",
        },
    )  # fmt: skip
    assert "SOP-0001 is already taken" in text(response)
    assert ControlledDocument.objects.count() == 1


def test_the_signed_walk_from_draft_to_effective(client, sop, author_a, qa_a):
    draft = sop.revisions.get()
    client.force_login(author_a)
    url = f"/documents/revisions/{draft.pk}/actions"
    response = client.post(f"{url}/submit/", {"meaning": "authored", "password": PASSWORD})
    assert response.status_code == 302
    client.force_login(qa_a)
    page = text(client.get(f"/documents/revisions/{draft.pk}/"))
    assert 'data-approval="qa_manager"' in page and "waiting" in page
    wrong = client.post(f"{url}/approve/", {"meaning": "approved", "password": "nope"})
    assert "The password is wrong" in text(wrong)
    client.post(f"{url}/approve/", {"meaning": "approved", "password": PASSWORD})
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.EFFECTIVE


def test_editing_a_draft(client, sop, author_a):
    draft = sop.revisions.get()
    client.force_login(author_a)
    response = client.post(
        f"/documents/revisions/{draft.pk}/edit/",
        {"change_summary": "First issue.", "body": "# 新内容", "training_required": "on"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "# 新内容"


def test_printing_records_a_copy_and_answers_a_pdf(client, effective_sop, qa_a, operator_a):
    client.force_login(operator_a)
    response = client.post(f"/documents/revisions/{effective_sop.pk}/print/", {})
    assert response["Content-Type"] == "application/pdf"
    refused = client.post(
        f"/documents/revisions/{effective_sop.pk}/print/",
        {"controlled": "on", "issued_to": "me"},
    )
    assert "Only document control issues controlled copies" in text(refused)
    client.force_login(qa_a)
    client.post(
        f"/documents/revisions/{effective_sop.pk}/print/", {"controlled": "on", "issued_to": "L1"}
    )
    assert list(DocumentCopy.objects.values_list("controlled", "copy_number")) == [
        (True, 1),
        (False, None),
    ]


def test_starting_a_revision_and_the_periodic_review(client, sop, effective_sop, qa_a):
    client.force_login(qa_a)
    response = client.post(
        f"/documents/{sop.pk}/review/",
        {"meaning": "reviewed", "password": PASSWORD, "outcome": "confirmed", "note": "OK"},
    )
    assert response.status_code == 302
    response = client.post(f"/documents/{sop.pk}/revisions/new/", {"change_summary": "v2"})
    assert response.status_code == 302
    assert sop.revisions.filter(status=RevisionStatus.DRAFT).exists()


def test_approval_routes_are_kept_by_approvers(client, qa_a, operator_a):
    client.force_login(operator_a)
    assert client.get("/documents/routes/").status_code == 403
    client.force_login(qa_a)
    assert "Work instruction" in text(client.get("/documents/routes/"))
    client.post(
        "/documents/routes/",
        {"document_type": "form", "form-roles": ["qa_manager", "production_supervisor"]},
    )
    assert ApprovalRoute.objects.get().roles == ["qa_manager", "production_supervisor"]


def test_what_waits_on_whom(sop, author_a, qa_a, operator_a, site_a):
    from medtrace.documents import selectors
    from medtrace.documents.services import revisions

    draft = sop.revisions.get()
    assert [t.name for _r, t in [(r, a[0]) for r, a in selectors.waiting_on(author_a, 10)]] == [
        "submit"
    ]
    assert selectors.waiting_on(qa_a, 10) == []  # someone else's draft
    revisions.submit(draft, by=author_a, password=PASSWORD)
    assert [a.name for a in selectors.waiting_on(qa_a, 10)[0][1]] == ["approve", "return_to_draft"]
    assert selectors.waiting_on(operator_a, 10) == []
    revisions.approve(draft, by=qa_a, password=PASSWORD)
    assert selectors.waiting_on(qa_a, 10) == []
    sop.refresh_from_db()
    assert list(selectors.reviews_due_for(qa_a, sop.next_review_on)) == [sop]
    assert list(selectors.reviews_due_for(operator_a, sop.next_review_on)) == []


def test_the_inbox_lists_revisions_and_reviews(client, sop, author_a, qa_a):
    from medtrace.documents.models import ControlledDocument
    from medtrace.documents.services import revisions

    revisions.submit(sop.revisions.get(), by=author_a, password=PASSWORD)
    client.force_login(qa_a)
    body = text(client.get("/quality/tasks/"))
    assert 'data-task="document"' in body and "SOP-0001 rev. 1" in body
    ControlledDocument.objects.filter(pk=sop.pk).update(next_review_on=sop.site.local_date())
    assert 'data-task="document-review"' in text(client.get("/quality/tasks/"))


def test_editing_a_documents_details_and_scope(client, sop, author_a, operator_a, site_b):
    client.force_login(operator_a)
    assert client.get(f"/documents/{sop.pk}/edit/").status_code == 403
    client.force_login(author_a)
    assert "Reason for the change" in text(client.get(f"/documents/{sop.pk}/edit/"))
    response = client.post(
        f"/documents/{sop.pk}/edit/",
        {
            "title": "不合格品控制程序（修订）", "title_en": "", "owner": author_a.pk,
            "review_interval_months": 12, "applies_to": [sop.site_id, site_b.pk],
            "reason": "适用于两个工厂",
        },
    )  # fmt: skip
    assert response.status_code == 302
    sop.refresh_from_db()
    assert sop.review_interval_months == 12 and sop.title.endswith("（修订）")
    assert set(sop.applies_to.values_list("code", flat=True)) == {"A1", "B1"}
    refused = client.post(f"/documents/{sop.pk}/edit/", {"title": "x", "owner": author_a.pk})
    assert refused.status_code == 200  # the reason and the interval are required
    sop.refresh_from_db()
    assert sop.title.endswith("（修订）")
