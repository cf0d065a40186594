"""Document fixtures shared with the apps that build on documents (training, changes)."""

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import documents, revisions


@pytest.fixture
def author_a(make_user, site_a):
    """A QA manager who writes documents (and so may not approve what they submit)."""
    return make_user("author-a", (site_a, Role.QA_MANAGER))


@pytest.fixture
def supervisor_a(make_user, site_a):
    return make_user("supervisor-a", (site_a, Role.PRODUCTION_SUPERVISOR))


@pytest.fixture
def sop(site_a, author_a):
    return documents.create_document(
        site=site_a,
        document_type=DocumentType.PROCEDURE,
        title="不合格品控制程序",
        title_en="Control of nonconforming product",
        change_summary="First issue.",
        body="# 目的\n\n控制不合格品。\n\n| 步骤 | 责任 |\n|---|---|\n| 隔离 | QA |",
        by=author_a,
    )


def make_effective(document, *, author, approvers):
    """Submit the document's draft and approve it by each approver: effective now."""
    draft = document.revisions.get(status="draft")
    revisions.submit(draft, by=author, password=PASSWORD)
    for approver in approvers:
        revisions.approve(draft, by=approver, password=PASSWORD)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def effective_sop(sop, author_a, qa_a):
    return make_effective(sop, author=author_a, approvers=[qa_a])
