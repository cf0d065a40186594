"""Training scenes shared by the page, API, CLI and matrix tests: an SOP in force at site A,
an operators' curriculum listing it, and people at A and B."""

from datetime import timedelta

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import documents
from medtrace.documents.tests.fixtures import make_effective
from medtrace.training.models import TrainingAssignment
from medtrace.training.services import records


@pytest.fixture
def second_operator_a(make_user, site_a):
    return make_user("operator-a2", (site_a, Role.OPERATOR))


@pytest.fixture
def wi(site_a, author_a):
    """A work instruction of site A, still a draft."""
    return documents.create_document(
        site=site_a, document_type=DocumentType.WORK_INSTRUCTION, title="UV 粘接作业指导书",
        title_en="UV bonding", change_summary="First issue.", body="1. 点胶\n2. 固化",
        by=author_a,
    )  # fmt: skip


@pytest.fixture
def in_force(sop, line_operators, operator_a, author_a, qa_a, supervisor_a):
    """The SOP made effective for the operators' curriculum: each operator of A has an open
    assignment on it."""
    return make_effective(sop, author=author_a, approvers=[qa_a])


def assignment_of(user, revision=None):
    found = TrainingAssignment.objects.filter(trainee=user, status="open")
    if revision is not None:
        found = found.filter(revision=revision)
    return found.get()


def assign(user, revision, *, by, site=None, days=14):
    from medtrace.training.services import assignments

    return assignments.assign(
        trainee=user, revision=revision, site=site or revision.document.site,
        due_on=revision.document.site.local_date() + timedelta(days=days), by=by, reason="新员工",
    )  # fmt: skip


def sign(user, revision=None):
    return records.read_and_understood(assignment_of(user, revision), by=user, password=PASSWORD)


def make_overdue(assignment, days=3):
    TrainingAssignment.objects.filter(pk=assignment.pk).update(
        due_on=assignment.site.local_date() - timedelta(days=days)
    )
