"""The demo plant's change control: two implemented changes released its versions, a third
waits in review with one task done and one open, and a draft answers the supplier CAPA."""

import pytest

from medtrace.changes.choices import ChangeStatus
from medtrace.changes.impact import impact_of
from medtrace.changes.models import ChangeRequest

pytestmark = pytest.mark.django_db


def test_demo_changes(demo_plant):
    statuses = list(ChangeRequest.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [
        ChangeStatus.IMPLEMENTED,
        ChangeStatus.IMPLEMENTED,
        ChangeStatus.IN_REVIEW,
        ChangeStatus.DRAFT,
    ]
    in_review = ChangeRequest.objects.get(status=ChangeStatus.IN_REVIEW)
    assert sorted(task.done_at is not None for task in in_review.tasks.all()) == [False, True]
    answering = ChangeRequest.objects.get(capa__isnull=False)
    assert answering.status == ChangeStatus.DRAFT
    impact = impact_of(answering)
    assert [item.code for item in impact.items] == ["RM-PVC"]
    assert impact.where_used and impact.lots  # the pellets go into the tubing; lots exist
