"""Background jobs on the dashboards' figures: asked for by a person, they run for that
person's organization and say nothing of another; on schedule (a system job every
organization's administrators see), they name no organization."""

from datetime import date

import pytest
from django.urls import reverse

from medtrace.analytics.choices import ASSESS_RISK, COUNT_SHIPPED
from medtrace.jobs.models import Job, JobLogLine
from medtrace.jobs.services import enqueue, run_claimed, try_claim

from .probe import text_of


def run(job: Job) -> Job:
    assert try_claim(job.pk, status=job.status, worker_id="isolation", now=job.run_after)
    return run_claimed(Job.objects.get(pk=job.pk))


def said(job: Job) -> str:
    lines = JobLogLine.objects.filter(job=job).values_list("message", flat=True)
    return f"{job.result} {' '.join(lines)}"


@pytest.mark.parametrize(
    ("name", "button"),
    [(COUNT_SHIPPED, "analytics:count-shipped"), (ASSESS_RISK, "analytics:risk-assess")],
)
def test_a_run_asked_for_is_its_askers_organizations_alone(
    name, button, client, demo_plant, people, markers
):
    client.force_login(people.foreigner)
    client.post(reverse(button))
    job = run(Job.objects.get(name=name))
    assert job.organization_id == people.foreign_site.organization_id
    assert job.arguments == {"organization": people.foreign_site.organization_id}
    assert job.result == {"rows": 0}, "the outsiders' empty organization has nothing to count"
    assert demo_plant.organization.slug not in said(job)
    page = client.get(reverse("jobs:job-detail", args=[job.pk]))
    assert page.status_code == 200
    assert markers.seen_by_foreigner(text_of(page)) == []


@pytest.mark.parametrize("name", [COUNT_SHIPPED, ASSESS_RISK])
def test_a_scheduled_run_names_no_organization(name, client, demo_plant, people):
    job = run(enqueue(name))
    assert job.organization_id is None and job.result == {"organizations": 2}
    for organization in (demo_plant.organization, people.foreign_site.organization):
        assert organization.slug not in said(job)
    client.force_login(people.foreigner)
    page = text_of(client.get(reverse("jobs:job-detail", args=[job.pk])))
    assert demo_plant.organization.slug not in page


def test_a_system_jobs_lines_about_a_sites_records_are_that_sites_alone(
    client, demo_plant, people, markers, bearer
):
    """A scheduled job runs over every organization and its page is open to each one's
    administrators: its result counts, and a line naming a lot shows only where the lot does."""
    from medtrace.inventory.models import Stock

    stock = Stock.objects.filter(site__organization=demo_plant.organization).first()
    stock.lot.__class__.objects.filter(pk=stock.lot_id).update(expires_on=date(2020, 1, 1))
    job = run(enqueue("inventory.mark_expired"))
    assert job.organization_id is None and job.result["expired"] >= 1
    lot_number = stock.lot.lot_number
    page = reverse("jobs:job-detail", args=[job.pk])
    for outsider in (people.foreigner, people.neighbour):
        client.force_login(outsider)
        text = text_of(client.get(page))
        api = text_of(client.get(f"/api/v1/jobs/{job.pk}", **bearer(outsider)))
        assert lot_number not in text and lot_number not in api, f"{outsider} read the lot"
        assert markers.seen_by_neighbour(text + api) == []
    client.force_login(people.insider)
    assert lot_number in text_of(client.get(page))
