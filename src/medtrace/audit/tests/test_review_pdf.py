"""The printed review carries the same signature manifestation as the page (§11.50), and
shows a signature invalid once the review changed after signing."""

import io

import pytest
from pypdf import PdfReader

from conftest import PASSWORD
from medtrace.audit import reviews
from medtrace.audit.choices import AuditAction, ReviewConclusion, SignatureMeaning
from medtrace.audit.models import AuditEntry
from medtrace.audit.signatures import sign

pytestmark = pytest.mark.django_db


def pdf_text(client, review) -> str:
    response = client.get(f"/audit/reviews/{review.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def review(qa_a, site_a):
    return reviews.create_review(
        site=site_a, findings="", conclusion=ReviewConclusion.NO_FINDINGS, by=qa_a
    )


def test_pdf_shows_the_signature_and_then_its_invalidity(client, review, qa_a):
    sign(review, SignatureMeaning.REVIEWED, by=qa_a, password=PASSWORD)
    client.force_login(qa_a)
    text = pdf_text(client, review)
    assert "Qa-A" in text and "Reviewed" in text and "Asia/Shanghai" in text
    assert "Valid" in text and "Invalid" not in text

    reviews.amend_review(
        review,
        findings="Two sign-ins from an unknown address.",
        conclusion=ReviewConclusion.FINDINGS_RECORDED,
        by=qa_a,
        reason="Found on a second reading",
    )
    text = pdf_text(client, review)
    assert "Invalid: the record changed after signing" in text


def test_pdf_is_in_chinese_for_a_chinese_reader_and_printing_is_recorded(client, review, qa_a):
    client.force_login(qa_a)
    client.cookies["django_language"] = "zh-hans"
    text = pdf_text(client, review)
    assert "审计追踪审核" in text and "尚未签名" in text
    printed = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(review.pk))
    assert printed.get().changes["format"] == "pdf"


def test_pdf_of_another_sites_review_is_not_found(client, review, qa_b):
    client.force_login(qa_b)
    assert client.get(f"/audit/reviews/{review.pk}/pdf/").status_code == 404
