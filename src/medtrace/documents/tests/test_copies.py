import pytest
from pypdf import PdfReader

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents import rendering
from medtrace.documents.models import DocumentCopy
from medtrace.documents.services import copies


def text_of(pdf: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def page_request(rf, user):
    request = rf.get("/")
    request.user, request.site = user, None
    return request


def test_controlled_copies_are_numbered_and_watermarked(effective_sop, qa_a, rf):
    first = copies.issue_copy(effective_sop, by=qa_a, controlled=True, issued_to="Line 1")
    second = copies.issue_copy(effective_sop, by=qa_a, controlled=True, issued_to="Line 2")
    assert (first.copy_number, second.copy_number) == (1, 2)
    request = page_request(rf, qa_a)
    text = text_of(rendering.copy_pdf(effective_sop, second, request=request))
    assert "CONTROLLED COPY No. 2" in text
    assert "目的" in text and "SOP-0001" in text


def test_anyone_prints_uncontrolled_but_not_controlled(effective_sop, operator_a, rf):
    with pytest.raises(DomainError) as refused:
        copies.issue_copy(effective_sop, by=operator_a, controlled=True, issued_to="me")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    copy = copies.issue_copy(effective_sop, by=operator_a, controlled=False)
    assert copy.copy_number is None and DocumentCopy.objects.count() == 1
    request = page_request(rf, operator_a)
    assert "UNCONTROLLED WHEN PRINTED" in text_of(
        rendering.copy_pdf(effective_sop, copy, request=request)
    )


def test_a_draft_has_no_controlled_copy(sop, qa_a):
    with pytest.raises(DomainError) as refused:
        copies.issue_copy(sop.revisions.get(), by=qa_a, controlled=True, issued_to="x")
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_markdown_is_rendered_and_html_in_it_is_escaped():
    html = rendering.body_html("# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<h2>T</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href" not in html
