"""The demo's recalls: a closed drill that held nothing with its timing report, a closed class II
recall with its notices answered and goods returned, a draft recall of the held lot."""

import pytest
from django.conf import settings

from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.recall.choices import NoticeStatus, RecallStatus
from medtrace.recall.models import Recall
from medtrace.recall.services import drills, effectiveness
from medtrace.trace.models import TraceObject

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_drill_and_a_draft_recall(demo_plant):
    drill = Recall.objects.get(drill=True)
    assert drill.status == RecallStatus.CLOSED and drill.number.startswith("DRL")
    assert drill.notices.count() > 1
    assert set(drill.notices.values_list("status", flat=True)) == {NoticeStatus.ACKNOWLEDGED}
    assert set(drill.notices.values_list("recipient_email", flat=True)) == {settings.DRILL_MAILBOX}
    assert all(kpi.met for kpi in drills.report(drill).kpis)
    scope = drill.current_scope()
    assert scope.summary["consignees"] > 0 and scope.summary["units"] + scope.summary["lots"] > 1
    for pk in scope.entries.values_list("object", flat=True).distinct():
        assert status_of(TraceObject.objects.get(pk=pk)).status != StockStatus.RECALLED
    draft = Recall.objects.get(drill=False, status=RecallStatus.DRAFT)
    assert draft.status == RecallStatus.DRAFT
    held = draft.roots.get()
    assert status_of(held).status == StockStatus.ON_HOLD
    assert draft.current_scope().summary["objects"]


def test_the_demo_has_a_closed_class_ii_recall(demo_plant):
    recall = Recall.objects.get(drill=False, status=RecallStatus.CLOSED)
    assert recall.nmpa_class == "II" and recall.capa is not None
    found = effectiveness.progress(recall)
    assert found.total == 2 and found.responded_pct == 100
    assert found.returned_quantity == found.shipped_quantity == 500
    assert recall.notices.filter(events__kind="reminded").exists()
    # Everything came back, and what came back is on status recalled.
    (root,) = recall.roots.all()
    assert status_of(root).status == StockStatus.RECALLED
    assert found.stock and all(row.status == StockStatus.RECALLED for row in found.stock)
