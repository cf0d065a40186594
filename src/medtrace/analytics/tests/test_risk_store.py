"""Lot risk signals kept between assessments: what a reader sees of the stored assessment is
what the live assessment gives them, record by record; a record closed since stays on the list
until the lots are assessed again (on request, by the job), while the lot's own page is
current at once."""

import pytest
from django.utils import timezone

from medtrace.analytics import risk, risk_store
from medtrace.analytics.choices import ASSESS_RISK
from medtrace.analytics.models import LotSignal, Refresh
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.worker import run_pass
from medtrace.quality.choices import NcrStatus
from medtrace.quality.models import Nonconformance

pytestmark = pytest.mark.django_db
LIST = "/analytics/risk/"


def _shape(risks) -> dict:
    return {
        row.lot.pk: sorted(
            (s.finding.rule.code, s.finding.record, s.finding.detail, s.weight,
             s.via.pk if s.via else None)
            for s in row.signals
        )
        for row in risks
    }  # fmt: skip


def test_each_reader_sees_of_the_stored_assessment_what_the_live_one_gives_them(demo_plant):
    today = timezone.localdate()
    assert Refresh.objects.get(organization=demo_plant.organization, kind="lot_risks").rows > 0
    for username in ("qa", "sz-qa", "inspector", "warehouse", "buyer"):
        user = demo_plant.users[username]
        lots = risk.readable_lots(user)
        stored = risk_store.stored_risks(user, lots)
        assert _shape(stored) == _shape(risk.assess(user, today, lots=lots)), username
        assert [row.lot.pk for row in stored] == [
            row.lot.pk for row in risk.assess(user, today, lots=lots)
        ]


def test_assessing_again_replaces_the_rows(demo_plant):
    before = set(LotSignal.objects.values_list("lot", "rule", "record", "weight"))
    assessed = risk_store.assess_all(demo_plant.organization, timezone.localdate())
    assert set(LotSignal.objects.values_list("lot", "rule", "record", "weight")) == before
    assert assessed.rows == len(before) == LotSignal.objects.count()


def _close(ncr: Nonconformance) -> None:
    # Straight to closed: as if decided and closed since the last assessment.
    Nonconformance.objects.filter(pk=ncr.pk).update(
        status=NcrStatus.CLOSED, closed_at=timezone.now()
    )


def test_a_closed_record_stays_listed_until_assessed_again(demo_plant, client):
    qa = demo_plant.users["qa"]
    client.force_login(qa)
    ncr = Nonconformance.objects.filter(status__in=risk.NCR_OPEN, lot__isnull=False).first()
    assert ncr is not None
    _close(ncr)
    listed = client.get(LIST).content.decode()
    assert ncr.number in listed and "As assessed at" in listed
    # The lot's own page assesses it live.
    assert ncr.number not in client.get(f"/analytics/risk/lots/{ncr.lot_id}/").content.decode()

    response = client.post(f"{LIST}assess/")
    assert response.status_code == 302
    assert Job.objects.filter(name=ASSESS_RISK, status=JobStatus.QUEUED).count() == 1
    run_pass("test-worker")
    assert ncr.number not in client.get(LIST).content.decode()


def test_without_an_assessment_the_list_says_so(demo_plant, client):
    Refresh.objects.all().delete()
    LotSignal.objects.all().delete()
    client.force_login(demo_plant.users["qa"])
    page = client.get(LIST).content.decode()
    assert "have not been assessed yet" in page
