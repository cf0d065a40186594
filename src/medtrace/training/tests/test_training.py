from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.models import Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.services import revisions
from medtrace.documents.tests.fixtures import make_effective
from medtrace.training.choices import Assessment, AssignmentStatus
from medtrace.training.models import TrainingAssignment, TrainingRecord
from medtrace.training.services import assignments, qualification, records


def open_for(revision):
    return set(
        TrainingAssignment.objects.filter(revision=revision, status="open").values_list(
            "trainee__username", flat=True
        )
    )


@pytest.fixture
def second_operator_a(make_user, site_a):
    return make_user("operator-a2", (site_a, Role.OPERATOR))


def test_an_effective_revision_assigns_training_exactly_to_the_curriculum_roles(
    sop, line_operators, operator_a, second_operator_a, operator_b, author_a, qa_a, make_user,
    site_a,
):  # fmt: skip
    make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))
    revision = make_effective(sop, author=author_a, approvers=[qa_a])
    # Operators of site A (where the SOP is in force); not B's operator, not QA, not clerks.
    assert open_for(revision) == {"operator-a", "operator-a2"}
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    assert assignment.due_on == timezone.localdate() + timedelta(days=14)
    assert assignment.curriculum == line_operators


def test_a_document_in_force_at_another_site_reaches_its_operators(
    sop, line_operators, operator_b, author_a, qa_a, site_b
):
    from medtrace.documents.services import documents

    documents.update_document(sop, by=author_a, applies_to=[site_b])
    revision = make_effective(sop, author=author_a, approvers=[qa_a])
    assert "operator-b" in open_for(revision)


def test_can_perform_is_false_until_the_operator_signs(
    sop, line_operators, bonding, operator_a, author_a, qa_a
):
    verdict = qualification.can_perform(operator_a, bonding)
    assert not verdict.allowed and "no effective revision" in verdict.reasons[0]
    revision = make_effective(sop, author=author_a, approvers=[qa_a])
    verdict = qualification.can_perform(operator_a, bonding)
    assert not verdict.allowed
    assert "not trained on SOP-0001 rev. 1" in verdict.reasons[0]
    with pytest.raises(DomainError) as refused:
        qualification.require_can_perform(operator_a, bonding)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assignment = TrainingAssignment.objects.get(trainee=operator_a, revision=revision)
    record = records.read_and_understood(assignment, by=operator_a, password=PASSWORD)
    assert qualification.can_perform(operator_a, bonding).allowed
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.COMPLETED
    assert record.signature.meaning == "read_understood"
    assert record.valid_until == timezone.localdate().replace(year=timezone.localdate().year + 1)


def test_a_new_revision_needs_new_training_unless_it_says_otherwise(
    sop, line_operators, bonding, operator_a, author_a, qa_a
):
    first = make_effective(sop, author=author_a, approvers=[qa_a])
    records.read_and_understood(
        TrainingAssignment.objects.get(revision=first, trainee=operator_a),
        by=operator_a, password=PASSWORD,
    )  # fmt: skip
    revisions.new_draft(sop, by=author_a, change_summary="错别字", training_required=False)
    make_effective(sop, author=author_a, approvers=[qa_a])
    assert qualification.can_perform(operator_a, bonding).allowed
    third = revisions.new_draft(sop, by=author_a, change_summary="新步骤")
    before_third = timezone.now()
    make_effective(sop, author=author_a, approvers=[qa_a])
    assert not qualification.can_perform(operator_a, bonding).allowed
    assert open_for(third) == {"operator-a"}
    # As of before the third revision, the operator was qualified (DHR questions ask that).
    assert qualification.can_perform(operator_a, bonding, at=before_third).allowed


def test_a_revision_needing_no_training_carries_the_open_assignments_over(
    sop, line_operators, bonding, operator_a, second_operator_a, author_a, qa_a
):
    first = make_effective(sop, author=author_a, approvers=[qa_a])
    records.read_and_understood(
        TrainingAssignment.objects.get(revision=first, trainee=operator_a),
        by=operator_a, password=PASSWORD,
    )  # fmt: skip
    due = TrainingAssignment.objects.get(revision=first, trainee=second_operator_a).due_on
    second = revisions.new_draft(sop, by=author_a, change_summary="错别字", training_required=False)
    make_effective(sop, author=author_a, approvers=[qa_a])
    # The trained operator stays qualified; the untrained one now trains on revision 2, by
    # the date they already had.
    assert open_for(second) == {"operator-a2"}
    assert TrainingAssignment.objects.get(revision=second).due_on == due
    assert qualification.can_perform(operator_a, bonding).allowed
    records.read_and_understood(
        TrainingAssignment.objects.get(revision=second), by=second_operator_a, password=PASSWORD
    )
    assert qualification.can_perform(second_operator_a, bonding).allowed


def test_a_superseded_revisions_open_assignments_are_cancelled(
    sop, line_operators, operator_a, author_a, qa_a
):
    first = make_effective(sop, author=author_a, approvers=[qa_a])
    revisions.new_draft(sop, by=author_a, change_summary="v2")
    make_effective(sop, author=author_a, approvers=[qa_a])
    stale = TrainingAssignment.objects.get(revision=first)
    assert stale.status == AssignmentStatus.CANCELLED


def test_only_the_trainee_signs_read_and_understood(
    sop, line_operators, operator_a, second_operator_a, author_a, qa_a
):
    make_effective(sop, author=author_a, approvers=[qa_a])
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    with pytest.raises(DomainError) as refused:
        records.read_and_understood(assignment, by=second_operator_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not TrainingRecord.objects.exists()
    assert not Signature.objects.filter(meaning="read_understood").exists()


def test_a_wrong_password_records_nothing_but_the_refusal(
    sop, line_operators, operator_a, author_a, qa_a
):
    make_effective(sop, author=author_a, approvers=[qa_a])
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    with pytest.raises(DomainError):
        records.read_and_understood(assignment, by=operator_a, password="nope")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.OPEN and not TrainingRecord.objects.exists()


def test_a_failed_assessment_is_recorded_and_a_retake_assigned(
    sop, line_operators, bonding, operator_a, supervisor_a, author_a, qa_a
):
    make_effective(sop, author=author_a, approvers=[qa_a])
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    failed = records.instructor_led(
        assignment, by=supervisor_a, password=PASSWORD, assessment=Assessment.FAILED, score=55
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.FAILED and failed.valid_until is None
    assert not qualification.can_perform(operator_a, bonding).allowed
    retake = TrainingAssignment.objects.get(trainee=operator_a, status=AssignmentStatus.OPEN)
    records.instructor_led(
        retake, by=supervisor_a, password=PASSWORD, assessment=Assessment.PASSED, score=92
    )
    assert qualification.can_perform(operator_a, bonding).allowed


def test_an_operator_cannot_assess_and_no_one_assesses_themselves(
    sop, line_operators, operator_a, second_operator_a, author_a, qa_a, make_user, site_a
):
    trainer = make_user("trainer-a", (site_a, Role.PRODUCTION_SUPERVISOR), (site_a, Role.OPERATOR))
    make_effective(sop, author=author_a, approvers=[qa_a])
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    with pytest.raises(DomainError) as refused:
        records.instructor_led(
            assignment, by=second_operator_a, password=PASSWORD, assessment=Assessment.PASSED
        )
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    own = TrainingAssignment.objects.get(trainee=trainer)
    with pytest.raises(DomainError, match="own training"):
        records.instructor_led(own, by=trainer, password=PASSWORD, assessment=Assessment.PASSED)


def test_a_lapsed_qualification_is_assigned_again(
    sop, line_operators, bonding, operator_a, author_a, qa_a
):
    make_effective(sop, author=author_a, approvers=[qa_a])
    assignment = TrainingAssignment.objects.get(trainee=operator_a)
    record = records.read_and_understood(assignment, by=operator_a, password=PASSWORD)
    later = record.valid_until + timedelta(days=1)
    assert assignments.requalify_lapsed(today=record.valid_until) == []
    TrainingRecord.objects.filter(pk=record.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    created = assignments.requalify_lapsed(today=later)
    assert [a.trainee for a in created] == [operator_a]
    assert assignments.requalify_lapsed(today=later) == []  # idempotent
    assert not qualification.can_perform(operator_a, bonding).allowed


def test_adding_a_document_to_a_curriculum_assigns_its_effective_revision(
    sop, effective_sop, operator_a, qa_a, site_a
):
    from medtrace.training.services import curricula

    assert not TrainingAssignment.objects.exists()
    curricula.create_curriculum(
        site=site_a, code="NEW", name="新员工", roles=[Role.OPERATOR], documents=[sop], by=qa_a
    )
    assert open_for(effective_sop) == {"operator-a"}


def test_routing_operations_name_only_controlled_documents(organization, qa_a):
    from medtrace.catalog import services as catalog
    from medtrace.catalog.choices import ItemKind
    from medtrace.catalog.services import OperationIn

    item = catalog.create_item(
        organization=organization, code="FG-X", name="x", kind=ItemKind.FINISHED_DEVICE
    )
    routing = catalog.create_routing_draft(item=item, by=qa_a)
    with pytest.raises(DomainError, match="WI-9999 is not a controlled document"):
        catalog.set_routing_operations(
            routing=routing, operations=[OperationIn(name="a", documents=["wi-9999"])], by=qa_a
        )
    assert not routing.operations.exists()
