"""A supplier quarter by quarter: three clean lots in earlier quarters, then a lot rejected with
3 defective units of 50 this quarter. Each quarter counts what happened in it; the latest
quarter's defect rate signals against the earlier ones (exact test, p = 0.25³ = 0.0156) while
one rejection in four lots does not (p = 0.25); the page, its CSV and the API agree, each
quarter's counts open lists of exactly that many records, the ranking marks the supplier as
drifting, and the window is refused outside 4–12 quarters."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.analytics import supplier_trends
from medtrace.core.errors import DomainError
from medtrace.quality.models import InspectionRecord
from medtrace.quality.services import inspection as inspections
from medtrace.quality.tests.test_inspection import fill, start
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

API = "/api/v1/analytics/suppliers/SUP-PC/trend"


def _page(code="SUP-PC"):
    return f"/analytics/suppliers/{code}/"


@pytest.fixture
def history(resin, resin_plan, received_lot, inspector_a, balance):
    """SUP-PC: clean lots completed in each of the three quarters before this one, and this
    quarter `received_lot` rejected with 3 defective units."""
    window = supplier_trends.quarters(4, timezone.localdate())
    for number, quarter in enumerate(window[:-1]):
        lot = objects.create_lot(
            item=resin, lot_number=f"PC-OLD-{number}", site=received_lot.site,
            origin=LotOrigin.RECEIVED, supplier=received_lot.supplier,
            supplier_lot_number=f"LC-{number}",
        )  # fmt: skip
        record = _inspect(resin_plan, lot, inspector_a, balance, failing=0)
        middle = datetime.combine(quarter.first_day + timedelta(days=40), time(12))
        InspectionRecord.objects.filter(pk=record.pk).update(
            completed_at=timezone.make_aware(middle)
        )
    _inspect(resin_plan, received_lot, inspector_a, balance, failing=3)
    return window


def _inspect(plan, lot, inspector, balance, *, failing):
    record = start(plan, lot, inspector, [balance])
    fill(record, specks_failing=failing, by=inspector)
    inspections.complete_inspection(record, by=inspector, password=PASSWORD)
    return record


def test_the_quarters_end_with_todays_and_are_refused_outside_four_to_twelve():
    window = supplier_trends.quarters(8, date(2026, 12, 4))
    assert [quarter.label for quarter in window] == [
        "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4",
    ]  # fmt: skip
    assert (window[0].first_day, window[-1].last_day) == (date(2025, 1, 1), date(2026, 12, 31))
    assert window[4].period.until == date(2026, 3, 31)
    for count in (3, 13):
        with pytest.raises(DomainError, match="between 4 and 12 quarters"):
            supplier_trends.quarters(count, date(2026, 12, 4))


def test_each_quarter_counts_its_own_inspections_and_the_latest_drifts(history, qa_a):
    trend = supplier_trends.supplier_trends(qa_a, count=4, today=timezone.localdate())
    (only,) = trend.values()
    assert only.supplier.code == "SUP-PC"
    assert [(q.inspections, q.accepted, q.sampled, q.defective) for q in only.quarters] == [
        (1, 1, 50, 0), (1, 1, 50, 0), (1, 1, 50, 0), (1, 0, 50, 3),
    ]  # fmt: skip
    assert only.current.ppm == 60_000 and only.current.ncrs == 1  # the rejection's NCR
    drift = only.drift
    assert drift.defects.signal and drift.defects.p_value == pytest.approx(0.25**3)
    assert not drift.rejections.signal and drift.rejections.p_value == pytest.approx(0.25)
    assert drift.signal


def test_no_test_without_inspections_in_the_latest_quarter(history, qa_a):
    this_quarter = timezone.make_aware(datetime.combine(history[-1].first_day, time.min))
    long_ago = timezone.make_aware(datetime.combine(history[0].first_day, time(9)))
    InspectionRecord.objects.filter(completed_at__gte=this_quarter).update(completed_at=long_ago)
    (only,) = supplier_trends.supplier_trends(qa_a, count=4, today=timezone.localdate()).values()
    assert only.current.inspections == 0
    assert only.drift.defects is None and only.drift.rejections is None
    assert not only.drift.signal


def test_the_page_csv_and_api_agree_and_every_count_opens_its_records(client, history, qa_a):
    client.force_login(qa_a)
    page = client.get(_page(), {"quarters": 4})
    html = page.content.decode()
    assert 'data-signal="yes"' in html and "Drifting" in html
    for row in page.context["rows"]:
        figures = row["figures"]
        listed = client.get(row["inspections_url"]).context["page"].paginator.count
        assert listed == figures.inspections, figures.quarter.label
        assert client.get(row["ncrs_url"]).context["page"].paginator.count == figures.ncrs
    exported = client.get(_page(), {"quarters": 4, "format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))[1:]
    assert [(row[0], row[3], row[8]) for row in rows] == [
        (history[0].label, "1", "0"), (history[1].label, "1", "0"),
        (history[2].label, "1", "0"), (history[3].label, "1", "60000"),
    ]  # fmt: skip
    api = client.get(API, {"quarters": 4}).json()
    assert [quarter["ppm"] for quarter in api["quarters"]] == [0.0, 0.0, 0.0, 60000.0]
    assert api["drift"]["signal"] and api["drift"]["defects"]["signal"]
    assert api["drift"]["rejections"]["p_value"] == pytest.approx(0.25)
    assert page.context["data"]["quarters"] == api["quarters"]


def test_the_ranking_marks_the_drifting_supplier_and_links_its_trend(client, history, qa_a):
    client.force_login(qa_a)
    html = client.get("/analytics/suppliers/").content.decode()
    row = html[html.index('data-supplier="SUP-PC"') :]
    row = row[: row.index("</tr>")]
    assert 'href="/analytics/suppliers/SUP-PC/"' in row and "Drifting" in row


def test_a_window_out_of_range_is_refused_by_name(client, history, qa_a):
    client.force_login(qa_a)
    refused = client.get(API, {"quarters": 13})
    assert refused.status_code == 422
    assert "between 4 and 12 quarters" in refused.json()["error"]["message"]
    page = client.get(_page(), {"quarters": 3})
    assert "between 4 and 12 quarters" in page.content.decode()
    assert len(page.context["rows"]) == supplier_trends.DEFAULT_QUARTERS


def test_another_site_sees_the_supplier_without_our_inspections(client, history, make_user, site_b):
    client.force_login(make_user("qa-b", (site_b, Role.QA_MANAGER)))
    api = client.get(API, {"quarters": 4}).json()
    assert all(quarter["inspections"] == 0 for quarter in api["quarters"])
    assert not api["drift"]["signal"] and api["drift"]["defects"] is None
    assert client.get("/api/v1/analytics/suppliers/NOPE/trend").status_code == 404
