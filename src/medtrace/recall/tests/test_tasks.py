"""My tasks lists the recalls waiting on the reader: a draft for QA to approve, a running recall
with its overdue deadlines and the notices not sent yet; nothing for an operator."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from medtrace.quality.tasks import inbox
from medtrace.recall.models import Recall
from medtrace.recall.services import notices

pytestmark = pytest.mark.django_db


def test_drafts_and_running_recalls_wait_on_qa(approved, qa_a, operator_a, open_from,
                                               two_consignees, client):  # fmt: skip
    draft = open_from([two_consignees["tube"]])
    notices.prepare(approved, by=qa_a)
    # The approval was four days ago: the NMPA class II notification (3 days) is overdue.
    Recall.objects.filter(pk=approved.pk).update(approved_at=timezone.now() - timedelta(days=4))
    tasks = {task.recall.number: task for task in inbox(qa_a)["recalls"]}
    assert [a.name for a in tasks[draft.number].actions] == ["approve", "cancel"]
    running = tasks[approved.number]
    assert running.unsent == 2 and running.next_deadline.overdue >= 1
    assert list(tasks) == [approved.number, draft.number]  # overdue first
    assert inbox(operator_a)["recalls"] == []
    client.force_login(qa_a)
    page = client.get(reverse("quality:inbox")).content.decode()
    assert f'data-task="recall"><a href="/recall/{approved.pk}/"' in page
    assert 'data-unsent="2"' in page


def test_a_closed_recall_waits_on_no_one(approved, qa_a):
    assert [task.recall for task in inbox(qa_a)["recalls"]] == [approved]
    Recall.objects.filter(pk=approved.pk).update(status="closed")
    assert inbox(qa_a)["recalls"] == []
