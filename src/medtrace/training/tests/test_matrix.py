"""The training matrix: each cell's state (trained, due, overdue, expired, not required) as the
qualification service would judge it, the people and documents a site's matrix shows, its
filters, and a fixed number of queries however many people and documents there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import documents
from medtrace.documents.tests.fixtures import make_effective
from medtrace.training.choices import Assessment, MatrixCell
from medtrace.training.models import TrainingRecord
from medtrace.training.selectors import training_matrix
from medtrace.training.services import curricula, qualification, records
from medtrace.training.tests.fixtures import assign, assignment_of, make_overdue, sign

pytestmark = pytest.mark.django_db


def cells(matrix) -> dict[tuple[str, str], str]:
    return {
        (row.user.username, cell.document.number): cell.status
        for row in matrix.rows
        for cell in row.cells
    }


def test_each_state_of_a_cell(
    site_a, sop, line_operators, operator_a, second_operator_a, qa_a, make_user, supervisor_a,
    author_a,
):  # fmt: skip
    third = make_user("operator-a3", (site_a, Role.OPERATOR))
    fourth = make_user("operator-a4", (site_a, Role.OPERATOR))
    in_force = make_effective(sop, author=author_a, approvers=[qa_a])
    sign(operator_a)
    make_overdue(assignment_of(second_operator_a))
    lapsed = sign(third)
    TrainingRecord.objects.filter(pk=lapsed.pk).update(
        valid_until=timezone.localdate() - timedelta(days=2)
    )
    records.instructor_led(
        assignment_of(fourth), by=supervisor_a, password="Correct-horse-battery-9",
        assessment=Assessment.FAILED, score=40,
    )  # fmt: skip
    matrix = training_matrix(site_a)
    assert [column.document.number for column in matrix.columns] == ["SOP-0001"]
    found = cells(matrix)
    assert found[("operator-a", "SOP-0001")] == MatrixCell.TRAINED
    assert found[("operator-a2", "SOP-0001")] == MatrixCell.OVERDUE
    assert found[("operator-a3", "SOP-0001")] == MatrixCell.EXPIRED
    assert found[("operator-a4", "SOP-0001")] == MatrixCell.DUE  # the retake is open
    assert found[("qa-a", "SOP-0001")] == MatrixCell.NOT_REQUIRED
    trained = next(c for r in matrix.rows for c in r.cells if r.user == operator_a)
    assert trained.revision == in_force and trained.until is not None
    assert "SOP-0001 rev. 1" in trained.note and "trained" in trained.note
    overdue = next(c for r in matrix.rows for c in r.cells if r.user == second_operator_a)
    assert overdue.assignment_id == assignment_of(second_operator_a).pk
    assert matrix.counts()[MatrixCell.TRAINED] == 1


def test_a_cell_is_trained_exactly_when_the_service_says_qualified(
    site_a, operator_a, second_operator_a, in_force, make_user, author_a, qa_a, sop
):
    sign(operator_a)
    # A revision that needs no training keeps the operator qualified; the one after does not.
    from medtrace.documents.services import revisions

    revisions.new_draft(sop, by=author_a, change_summary="typo", training_required=False)
    make_effective(sop, author=author_a, approvers=[qa_a])
    now = timezone.now()
    matrix = training_matrix(site_a, now=now)
    for row in matrix.rows:
        for cell in row.cells:
            if cell.status == MatrixCell.NOT_REQUIRED:
                continue
            standing = qualification.trained_revision(row.user, cell.document, at=now)
            assert (cell.status == MatrixCell.TRAINED) == standing.qualified, row.user
    [column] = matrix.columns
    assert (column.in_force.revision, column.needed.revision) == (2, 1)
    assert cells(matrix)[("operator-a", "SOP-0001")] == MatrixCell.TRAINED


def test_a_required_person_without_an_assignment_is_due(site_a, in_force, make_user):
    make_user("new-hire", (site_a, Role.OPERATOR))  # joined after the SOP took effect
    matrix = training_matrix(site_a)
    [cell] = next(r.cells for r in matrix.rows if r.user.username == "new-hire")
    assert cell.status == MatrixCell.DUE and cell.assignment_id is None
    assert "not assigned yet" in cell.note


def test_the_matrix_of_a_site_shows_its_people_and_documents_in_force_there(
    site_a, site_b, in_force, operator_a, operator_b, sop, author_a
):
    assert cells(training_matrix(site_b)) == {}
    documents.update_document(sop, by=author_a, applies_to=[site_b])
    at_b = training_matrix(site_b)
    assert [c.document.number for c in at_b.columns] == ["SOP-0001"]
    assert [row.user.username for row in at_b.rows] == ["operator-b"]
    at_a = training_matrix(site_a)
    assert "operator-b" not in {row.user.username for row in at_a.rows}


def test_narrowed_to_a_curriculum_or_a_role(
    site_a, in_force, line_operators, operator_a, qa_a, wi, author_a, supervisor_a
):
    qa_docs = curricula.create_curriculum(
        site=site_a, code="QA", name="质量部", roles=[Role.QA_MANAGER], documents=[wi], by=qa_a
    )
    make_effective(wi, author=author_a, approvers=[supervisor_a, qa_a])
    everything = training_matrix(site_a)
    assert [c.document.number for c in everything.columns] == ["SOP-0001", "WI-0001"]
    operators = training_matrix(site_a, curriculum=line_operators)
    assert [c.document.number for c in operators.columns] == ["SOP-0001"]
    assert "qa-a" not in {row.user.username for row in operators.rows}
    by_role = training_matrix(site_a, role=Role.QA_MANAGER)
    assert [c.document.number for c in by_role.columns] == ["WI-0001"]
    assert {row.user.username for row in by_role.rows} == {"qa-a", "author-a"}
    assert cells(training_matrix(site_a, curriculum=qa_docs))[("qa-a", "WI-0001")] == "due"


def test_named_members_are_required_whatever_their_roles(site_a, sop, in_force, qa_a, make_user):
    clerk = make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))
    curricula.create_curriculum(
        site=site_a, code="NAMED", name="指定人员", members=[clerk], documents=[sop], by=qa_a
    )
    assert cells(training_matrix(site_a))[("clerk-a", "SOP-0001")] == MatrixCell.DUE


def test_the_matrix_takes_a_fixed_number_of_queries(site_a, in_force, make_user, author_a, qa_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            training_matrix(site_a)
        return len(captured)

    few = queries()
    for number in range(8):
        person = make_user(f"op-{number}", (site_a, Role.OPERATOR))
        if number % 2:
            assign(person, in_force, by=qa_a)
            sign(person)
    for number in range(3):
        document = documents.create_document(
            site=site_a, document_type=DocumentType.PROCEDURE, title=f"程序 {number}",
            change_summary="First issue.", body="x", by=author_a,
        )  # fmt: skip
        curricula.update_curriculum(
            _curriculum(), by=qa_a, documents=[*_curriculum().documents.all(), document]
        )
        make_effective(document, author=author_a, approvers=[qa_a])
    matrix = training_matrix(site_a)
    assert len(matrix.columns) == 4 and len(matrix.rows) >= 10
    assert queries() == few <= 12


def _curriculum():
    from medtrace.training.models import Curriculum

    return Curriculum.objects.get(code="OPS-LINE1")


STEPS = st.lists(
    st.sampled_from(["sign", "fail", "revise", "revise_untrained", "lapse", "assign"]),
    min_size=1,
    max_size=7,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_the_matrix_agrees_with_the_service_whatever_happens(
    steps, site_a, sop, line_operators, operator_a, author_a, qa_a, supervisor_a
):
    """Whatever mix of signatures, failed assessments, revisions (with or without training)
    and lapses, a cell is trained exactly when the qualification service says qualified."""
    from django.db import transaction

    from medtrace.documents.services import revisions
    from medtrace.training.models import TrainingAssignment
    from medtrace.training.services import assignments

    with transaction.atomic():
        in_force = make_effective(sop, author=author_a, approvers=[qa_a])
        for step in steps:
            opened = TrainingAssignment.objects.filter(trainee=operator_a, status="open").first()
            if step == "sign" and opened:
                records.read_and_understood(opened, by=operator_a, password=PASSWORD)
            elif step == "fail" and opened:
                records.instructor_led(
                    opened, by=supervisor_a, password=PASSWORD, assessment=Assessment.FAILED
                )
            elif step in ("revise", "revise_untrained"):
                revisions.new_draft(
                    sop, by=author_a, change_summary=step, training_required=step == "revise"
                )
                in_force = make_effective(sop, author=author_a, approvers=[qa_a])
            elif step == "lapse":
                TrainingRecord.objects.filter(trainee=operator_a).update(
                    valid_until=timezone.localdate() - timedelta(days=1)
                )
            elif step == "assign" and not opened:
                assignments.assign(
                    trainee=operator_a, revision=in_force, site=site_a, by=qa_a, reason="x",
                    due_on=timezone.localdate() - timedelta(days=1),
                )  # fmt: skip
            now = timezone.now()
            [row] = [r for r in training_matrix(site_a, now=now).rows if r.user == operator_a]
            [cell] = row.cells
            standing = qualification.trained_revision(operator_a, sop, at=now)
            assert (cell.status == MatrixCell.TRAINED) == standing.qualified, steps
            opened = TrainingAssignment.objects.filter(trainee=operator_a, status="open").first()
            if cell.status == MatrixCell.OVERDUE:
                assert opened is not None and opened.due_on < site_a.local_date()
        transaction.set_rollback(True)
