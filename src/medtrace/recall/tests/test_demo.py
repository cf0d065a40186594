"""The demo's recalls: an approved drill that held nothing, a draft recall of the held lot."""

import pytest

from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall
from medtrace.trace.models import TraceObject

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_drill_and_a_draft_recall(demo_plant):
    drill = Recall.objects.get(drill=True)
    assert drill.status == RecallStatus.APPROVED and drill.number.startswith("DRL")
    scope = drill.current_scope()
    assert scope.summary["consignees"] > 0 and scope.summary["units"] + scope.summary["lots"] > 1
    for pk in scope.entries.values_list("object", flat=True).distinct():
        assert status_of(TraceObject.objects.get(pk=pk)).status != StockStatus.RECALLED
    draft = Recall.objects.get(drill=False)
    assert draft.status == RecallStatus.DRAFT
    held = draft.roots.get()
    assert status_of(held).status == StockStatus.ON_HOLD
    assert draft.current_scope().summary["objects"]
