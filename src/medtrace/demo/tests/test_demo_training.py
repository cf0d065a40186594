"""The demo plant's training: curricula for operators, inspectors and QA; most people trained;
the nonconforming-product SOP revised today with its training part done, part open; an
overdue onboarding, a failed assessment with its retake; routing operations that require the
work instructions, so that can-perform refuses whoever is not trained."""

import pytest

from medtrace.catalog.models import Routing
from medtrace.training.choices import AssignmentStatus, MatrixCell
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord
from medtrace.training.selectors import training_matrix
from medtrace.training.services.qualification import can_perform

pytestmark = pytest.mark.django_db


def test_the_demo_trains_most_people_and_leaves_some_training_to_do(demo_plant):
    demo = demo_plant
    assert set(Curriculum.objects.values_list("code", flat=True)) == {
        "OPS-LINE", "INSPECTION", "QA",
    }  # fmt: skip
    assert TrainingRecord.objects.count() > 30
    revised = demo.documents["SOP-0002"].revisions.get(status="effective")
    assert revised.revision == 2
    on_revision = TrainingAssignment.objects.filter(revision=revised)
    assert on_revision.filter(status=AssignmentStatus.COMPLETED).count() >= 3
    open_ones = set(
        on_revision.filter(status=AssignmentStatus.OPEN).values_list("trainee__username", flat=True)
    )
    assert "operator" in open_ones  # the e2e operator signs it
    failed = TrainingRecord.objects.get(assessment="failed")
    assert TrainingAssignment.objects.filter(
        trainee=failed.trainee, revision=failed.revision, status=AssignmentStatus.OPEN
    ).exists()
    states = {
        (row.user.username, cell.document.number): cell.status
        for row in training_matrix(demo.sites["SZ01"]).rows
        for cell in row.cells
    }
    assert states[("operator4", "WI-0002")] == MatrixCell.OVERDUE
    assert states[("operator", "WI-0002")] == MatrixCell.TRAINED
    assert states[("operator", "SOP-0002")] == MatrixCell.DUE
    assert states[("operator2", "SOP-0002")] == MatrixCell.TRAINED
    assert states[("operator3", "WI-0003")] == MatrixCell.DUE  # the retake
    routing = Routing.objects.get(item__code="IS-2001", status="approved")
    assembly = routing.operations.get(documents=["WI-0002"])
    assert can_perform(demo.users["operator"], assembly).allowed
    verdict = can_perform(demo.users["operator4"], assembly)
    assert not verdict.allowed and "WI-0002" in verdict.reasons[0]
