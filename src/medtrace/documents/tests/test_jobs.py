from datetime import timedelta

import pytest

from conftest import PASSWORD
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.jobs import make_due_effective
from medtrace.documents.models import DocumentRevision
from medtrace.documents.services import revisions

pytestmark = pytest.mark.django_db


class Context:
    def __init__(self):
        self.lines = []

    def log(self, line, **kwargs):
        self.lines.append((line, kwargs.get("about")))


def test_the_job_makes_revisions_due_today_effective(sop, author_a, qa_a):
    draft = sop.revisions.get()
    revisions.update_draft(draft, by=author_a, effective_on=sop.site.local_date() + timedelta(1))
    revisions.submit(draft, by=author_a, password=PASSWORD)
    revisions.approve(draft, by=qa_a, password=PASSWORD)
    assert make_due_effective(Context()) == {"effective": 0}
    DocumentRevision.objects.filter(pk=draft.pk).update(effective_on=sop.site.local_date())
    context = Context()
    assert make_due_effective(context) == {"effective": 1}
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.EFFECTIVE
    assert context.lines == [("SOP-0001 rev. 1 is effective.", sop)], "shown where SOP-0001 is"
