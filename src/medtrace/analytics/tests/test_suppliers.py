"""Supplier quality from real incoming inspections: a supplier whose lot was rejected with three
defective units in a sample of 50 (60,000 PPM) and nonconformances ranks after one whose lot
was accepted; the page, its CSV and the API agree; its links open that supplier's inspections
and nonconformances; a period that ends before it starts is refused; another site sees none."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.analytics import suppliers
from medtrace.partners import services as partners
from medtrace.quality.models import InspectionRecord, Nonconformance
from medtrace.quality.services import inspection as inspections
from medtrace.quality.tests.test_inspection import fill, start
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

PAGE = "/analytics/suppliers/"
API = "/api/v1/analytics/suppliers"


@pytest.fixture
def inspected(resin, resin_plan, received_lot, inspector_a, balance, make_ncr, organization):
    """SUP-PC's lot rejected (3 of 50 with black specks) with an NCR; SUP-GOOD's accepted."""
    good = partners.create_supplier(organization=organization, code="SUP-GOOD", name="良材")
    good_lot = objects.create_lot(
        item=resin, lot_number="PC2611B", site=received_lot.site, origin=LotOrigin.RECEIVED,
        supplier=good, supplier_lot_number="LC-1",
    )  # fmt: skip
    for lot, failing in ((received_lot, 3), (good_lot, 0)):
        record = start(resin_plan, lot, inspector_a, [balance])
        fill(record, specks_failing=failing, by=inspector_a)
        inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    make_ncr()
    return good


def _ranked(user):
    return suppliers.supplier_quality(user, period=suppliers.Period.default(timezone.localdate()))


def test_suppliers_rank_on_acceptance_then_defects(inspected, qa_a):
    good, bad = _ranked(qa_a)
    assert (good.supplier.code, good.rank, good.acceptance_rate, good.ppm) == (
        "SUP-GOOD",
        1,
        100,
        0,
    )
    assert (bad.supplier.code, bad.inspections, bad.accepted) == ("SUP-PC", 1, 0)
    # the rejection opened an NCR of its own, besides the one reported
    assert (bad.sampled, bad.defective, bad.ppm, bad.ncrs) == (50, 3, 60_000, 2)
    assert bad.receipts == 0 and bad.on_time_rate is None


def test_the_page_csv_and_api_agree_and_link_to_the_records(client, inspected, qa_a):
    client.force_login(qa_a)
    html = client.get(PAGE).content.decode()
    assert html.index('data-supplier="SUP-GOOD"') < html.index('data-supplier="SUP-PC"')
    assert "/quality/inspections/?stage=incoming&amp;supplier=SUP-PC" in html
    ncrs = client.get("/quality/ncrs/", {"supplier": "SUP-PC"})
    assert ncrs.context["page"].paginator.count == 2
    records = client.get("/quality/inspections/", {"stage": "incoming", "supplier": "SUP-PC"})
    assert records.context["page"].paginator.count == 1
    exported = client.get(PAGE, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert [row[1] for row in rows[1:]] == ["SUP-GOOD", "SUP-PC"] and rows[2][7] == "60000"
    api = client.get(API).json()
    assert [(row["supplier"], row["rank"], row["ppm"]) for row in api] == [
        ("SUP-GOOD", 1, 0.0),
        ("SUP-PC", 2, 60000.0),
    ]


def test_a_period_that_ends_before_it_starts_is_refused(client, inspected, qa_a):
    client.force_login(qa_a)
    today = timezone.localdate()
    asked = {"since": today, "until": today - timedelta(days=1)}
    assert "before it starts" in client.get(PAGE, asked).content.decode()
    refused = client.get(API, asked)
    assert refused.status_code == 422 and "before it starts" in refused.json()["error"]["message"]
    earlier = client.get(API, {"until": today - timedelta(days=400)}).json()
    assert earlier == []


def test_another_site_sees_none_of_it(client, inspected, make_user, site_b):
    client.force_login(make_user("qa-b", (site_b, Role.QA_MANAGER)))
    assert "SUP-PC" not in client.get(PAGE).content.decode()
    assert client.get(API).json() == []


def test_each_count_opens_exactly_the_records_of_the_period(client, inspected, qa_a):
    """An inspection or a nonconformance before the period is neither counted nor listed."""
    month_ago = timezone.now() - timedelta(days=30)
    InspectionRecord.objects.filter(supplier__code="SUP-GOOD").update(completed_at=month_ago)
    reported = Nonconformance.objects.filter(supplier__code="SUP-PC").order_by("pk").first()
    Nonconformance.objects.filter(pk=reported.pk).update(opened_at=month_ago)
    client.force_login(qa_a)
    today = timezone.localdate()
    asked = {"since": today - timedelta(days=7), "until": today}
    html = client.get(PAGE, asked).content.decode()
    assert 'data-supplier="SUP-GOOD"' not in html
    links = re.findall(r'href="(/quality/(?:inspections|ncrs)/\?[^"]+)">(\d+)</a>', html)
    assert sorted(shown for _url, shown in links) == ["1", "1"]  # an inspection, an NCR
    for url, shown in links:
        listed = client.get(url.replace("&amp;", "&")).context["page"].paginator.count
        assert listed == int(shown), url
