"""The hourly job implements released changes whose date has come, and one that can no longer
be implemented neither stops the others nor is lost: it stays released, named in the log."""

from datetime import timedelta

import pytest

from medtrace.catalog.models import Bom, Routing, VersionStatus
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.jobs import implement_due
from medtrace.changes.models import ChangeRequest
from medtrace.changes.tests.fixtures import bom_draft, implemented, routing_draft

pytestmark = pytest.mark.django_db


class Context:
    def __init__(self):
        self.lines = []

    def log(self, line, **kwargs):
        self.lines.append(line)


def scheduled(site, author, qa, **scope):
    tomorrow = site.local_date() + timedelta(days=1)
    return implemented(
        site=site, author=author, approvers=[qa], kind=ChangeKind.FAST_TRACK,
        planned_effective_on=tomorrow, **scope,
    )  # fmt: skip


def test_the_job_implements_changes_whose_day_has_come(site_a, infusion_set, engineer_a, qa_a):
    bom = bom_draft(infusion_set, engineer_a)
    change = scheduled(site_a, engineer_a, qa_a, boms=[bom])
    assert change.status == ChangeStatus.SCHEDULED
    assert implement_due(Context()) == {"implemented": 0, "failed": 0}
    ChangeRequest.objects.filter(pk=change.pk).update(planned_effective_on=site_a.local_date())
    context = Context()
    assert implement_due(context) == {"implemented": 1, "failed": 0}
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.APPROVED
    assert context.lines == [f"{change.number} is implemented."]


def test_a_change_that_cannot_be_implemented_does_not_hold_the_others(
    site_a, infusion_set, engineer_a, qa_a
):
    broken = scheduled(site_a, engineer_a, qa_a, routings=[routing_draft(infusion_set, engineer_a)])
    bom = bom_draft(infusion_set, engineer_a)
    good = scheduled(site_a, engineer_a, qa_a, boms=[bom])
    Routing.objects.update(status=VersionStatus.OBSOLETE)  # withdrawn behind the change's back
    ChangeRequest.objects.update(planned_effective_on=site_a.local_date())
    context = Context()
    result = implement_due(context)
    assert result == {"implemented": 1, "failed": 1}
    assert f"{good.number} is implemented." in context.lines
    assert ChangeRequest.objects.get(pk=broken.pk).status == ChangeStatus.SCHEDULED
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.APPROVED
    assert any(line.startswith(f"{broken.number} is not implemented") for line in context.lines)
