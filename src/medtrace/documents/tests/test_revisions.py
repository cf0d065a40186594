from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import DocumentType, ReviewOutcome, RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision, RevisionApproval
from medtrace.documents.services import documents, revisions
from medtrace.documents.tests.fixtures import make_effective


def entries(record, action=None):
    found = AuditEntry.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk)
    )
    return found.filter(action=action) if action else found


def test_a_document_is_numbered_per_type_and_starts_as_a_draft(sop, site_a, author_a):
    assert sop.number == "SOP-0001"
    second = documents.create_document(
        site=site_a, document_type=DocumentType.PROCEDURE, title="文件控制程序",
        change_summary="First issue.", body="text", by=author_a,
    )  # fmt: skip
    wi = documents.create_document(
        site=site_a, document_type=DocumentType.WORK_INSTRUCTION, title="焊接作业指导书",
        change_summary="First issue.", body="text", by=author_a,
    )  # fmt: skip
    assert (second.number, wi.number) == ("SOP-0002", "WI-0001")
    draft = sop.revisions.get()
    assert (draft.revision, draft.status) == (1, RevisionStatus.DRAFT)
    assert list(sop.applies_to.all()) == [site_a]
    assert entries(sop, "create").count() == 1 and entries(draft, "create").count() == 1


def test_a_taken_number_is_refused_and_nothing_is_written(sop, site_a, author_a):
    with pytest.raises(DomainError) as refused:
        documents.create_document(
            site=site_a, document_type=DocumentType.FORM, number="sop-0001", title="x",
            change_summary="x", body="x", by=author_a,
        )  # fmt: skip
    assert refused.value.code == ErrorCode.DUPLICATE
    assert ControlledDocument.objects.count() == 1 and DocumentRevision.objects.count() == 1


def test_approval_makes_the_revision_effective_and_schedules_the_review(sop, author_a, qa_a):
    revision = make_effective(sop, author=author_a, approvers=[qa_a])
    assert revision.status == RevisionStatus.EFFECTIVE and revision.effective_at
    sop.refresh_from_db()
    assert sop.next_review_on == sop.site.local_date().replace(year=sop.site.local_date().year + 2)
    meanings = set(Signature.objects.values_list("meaning", flat=True))
    assert meanings == {"authored", "approved"}
    assert RevisionApproval.objects.get().role == Role.QA_MANAGER


def test_the_author_who_submitted_cannot_approve(sop, author_a):
    draft = sop.revisions.get()
    revisions.submit(draft, by=author_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        revisions.approve(draft, by=author_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.IN_REVIEW
    assert not Signature.objects.filter(meaning="approved").exists()


def test_a_work_instruction_needs_every_role_of_its_route(site_a, author_a, qa_a, supervisor_a):
    wi = documents.create_document(
        site=site_a, document_type=DocumentType.WORK_INSTRUCTION, title="超声焊接",
        change_summary="First issue.", body="1. 开机", by=author_a,
    )  # fmt: skip
    draft = wi.revisions.get()
    revisions.submit(draft, by=author_a, password=PASSWORD)
    revisions.approve(draft, by=qa_a, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.IN_REVIEW
    assert revisions.approval_state(draft).outstanding == [Role.PRODUCTION_SUPERVISOR]
    with pytest.raises(DomainError, match="Production supervisor"):
        revisions.approve(draft, by=qa_a, password=PASSWORD)
    revisions.approve(draft, by=supervisor_a, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.EFFECTIVE


def test_a_configured_route_replaces_the_default(
    organization, sop, author_a, qa_a, make_user, site_a
):
    regulatory = make_user("ra-a", (site_a, Role.REGULATORY_AFFAIRS))
    documents.set_approval_route(
        organization=organization, document_type=DocumentType.PROCEDURE,
        roles=[Role.QA_MANAGER, Role.REGULATORY_AFFAIRS], by=qa_a,
    )  # fmt: skip
    draft = make_effective(sop, author=author_a, approvers=[qa_a])
    assert draft.status == RevisionStatus.IN_REVIEW
    revisions.approve(draft, by=regulatory, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.EFFECTIVE


def test_a_wrong_password_leaves_only_the_refusal(sop, author_a):
    draft = sop.revisions.get()
    with pytest.raises(DomainError) as refused:
        revisions.submit(draft, by=author_a, password="wrong")
    assert refused.value.code == ErrorCode.SIGNATURE_REFUSED
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT and draft.review_round == 0
    assert entries(draft, "sign_failed").count() == 1


def test_returned_revisions_need_their_approvals_again(site_a, author_a, qa_a, supervisor_a):
    wi = documents.create_document(
        site=site_a, document_type=DocumentType.WORK_INSTRUCTION, title="包装",
        change_summary="First issue.", body="1.", by=author_a,
    )  # fmt: skip
    draft = wi.revisions.get()
    revisions.submit(draft, by=author_a, password=PASSWORD)
    revisions.approve(draft, by=qa_a, password=PASSWORD)
    revisions.return_to_draft(draft, by=supervisor_a, reason="步骤 3 不清楚")
    revisions.update_draft(draft, by=author_a, body="1. 清楚的步骤")
    revisions.submit(draft, by=author_a, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.review_round == 2
    assert revisions.approval_state(draft).outstanding == [
        Role.PRODUCTION_SUPERVISOR,
        Role.QA_MANAGER,
    ]


def test_a_future_date_waits_for_the_daily_job(sop, author_a, qa_a):
    draft = sop.revisions.get()
    tomorrow = sop.site.local_date() + timedelta(days=1)
    revisions.update_draft(draft, by=author_a, effective_on=tomorrow)
    make_effective(sop, author=author_a, approvers=[qa_a])
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.APPROVED
    with pytest.raises(DomainError, match="takes effect on"):
        revisions.make_effective(draft, by=qa_a)
    assert revisions.make_due_effective() == []
    done = revisions.make_due_effective(today_for=lambda site: tomorrow)
    assert [r.pk for r in done] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.EFFECTIVE


def test_the_next_revision_supersedes_the_effective_one(sop, effective_sop, author_a, qa_a):
    second = revisions.new_draft(sop, by=author_a, change_summary="增加 MRB 步骤")
    assert second.revision == 2 and second.body == effective_sop.body
    with pytest.raises(DomainError, match="already on its way"):
        revisions.new_draft(sop, by=author_a, change_summary="again")
    make_effective(sop, author=author_a, approvers=[qa_a])
    effective_sop.refresh_from_db()
    assert effective_sop.status == RevisionStatus.SUPERSEDED and effective_sop.ended_at
    assert sop.revisions.get(status=RevisionStatus.EFFECTIVE).revision == 2


def test_only_a_draft_changes(effective_sop, author_a):
    with pytest.raises(DomainError) as refused:
        revisions.update_draft(effective_sop, by=author_a, body="changed")
    assert refused.value.code == ErrorCode.INVALID_STATE
    effective_sop.refresh_from_db()
    assert effective_sop.body.startswith("# 目的")


def test_a_changed_draft_breaks_nothing_signed_but_an_empty_one_cannot_be_submitted(sop, author_a):
    draft = sop.revisions.get()
    revisions.update_draft(draft, by=author_a, body="  ")
    with pytest.raises(DomainError, match="no content"):
        revisions.submit(draft, by=author_a, password=PASSWORD)
    assert not Signature.objects.exists()


def test_an_uploaded_file_replaces_the_text_and_is_hashed(sop, author_a):
    draft = sop.revisions.get()
    upload = SimpleUploadedFile("NC-procedure.pdf", b"%PDF-1.4 test", "application/pdf")
    revisions.update_draft(draft, by=author_a, file=upload)
    draft.refresh_from_db()
    assert draft.file_name == "NC-procedure.pdf" and draft.body == ""
    assert len(draft.file_sha256) == 64 and draft.is_pdf


def test_an_executable_is_not_a_document(sop, author_a):
    draft = sop.revisions.get()
    with pytest.raises(DomainError, match="not a document file"):
        revisions.update_draft(draft, by=author_a, file=SimpleUploadedFile("x.exe", b"MZ"))
    draft.refresh_from_db()
    assert draft.file_sha256 == "" and draft.body


def test_withdrawing_a_draft_keeps_the_effective_revision(sop, effective_sop, author_a):
    second = revisions.new_draft(sop, by=author_a, change_summary="x")
    revisions.withdraw(second, by=author_a, reason="不需要了")
    second.refresh_from_db()
    effective_sop.refresh_from_db()
    assert second.status == RevisionStatus.OBSOLETE
    assert effective_sop.status == RevisionStatus.EFFECTIVE


def test_making_obsolete_is_signed_and_stops_the_reviews(sop, effective_sop, qa_a):
    revisions.make_obsolete(effective_sop, by=qa_a, password=PASSWORD, reason="工艺取消")
    effective_sop.refresh_from_db()
    sop.refresh_from_db()
    assert effective_sop.status == RevisionStatus.OBSOLETE and sop.next_review_on is None


def test_an_operator_may_not_author(sop, operator_a):
    with pytest.raises(DomainError) as refused:
        revisions.update_draft(sop.revisions.get(), by=operator_a, body="x")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_a_periodic_review_is_signed_and_reschedules(sop, effective_sop, qa_a):
    sop.refresh_from_db()
    first_due = sop.next_review_on
    ControlledDocument.objects.filter(pk=sop.pk).update(next_review_on=sop.site.local_date())
    revisions.complete_periodic_review(
        sop, by=qa_a, password=PASSWORD, outcome=ReviewOutcome.CONFIRMED, note="仍然适用"
    )
    sop.refresh_from_db()
    assert sop.next_review_on == first_due
    assert Signature.objects.filter(meaning="reviewed").count() == 1


def test_a_review_that_finds_a_change_starts_a_draft(sop, effective_sop, qa_a):
    revisions.complete_periodic_review(
        sop, by=qa_a, password=PASSWORD, outcome=ReviewOutcome.REVISE, note="法规更新"
    )
    draft = sop.revisions.get(status=RevisionStatus.DRAFT)
    assert draft.change_summary == "法规更新"
