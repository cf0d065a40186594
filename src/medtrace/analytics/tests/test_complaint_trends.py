"""Complaint trends on the demo plant: the units shipped equal a plain walk of every shipment;
the counts are the complaints the linked lists show; the demo's clamp complaints signal, with
the p-value of the binomial the test rests on; a signal opens a CAPA linking its complaints and
no signal opens none; the window's rules are refused by name; readers see their sites only;
the pages, the CSV, the PDF and the API agree."""

import csv
import html
import io
import math
import re
from collections import defaultdict
from datetime import date

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import PASSWORD
from medtrace.accounts.services import create_api_token, create_user
from medtrace.analytics import complaint_trends as trends
from medtrace.analytics import exposure
from medtrace.analytics.choices import COUNT_SHIPPED
from medtrace.analytics.models import Refresh, ShippedDay
from medtrace.audit.models import AuditEntry
from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError
from medtrace.jobs import services as job_services
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job
from medtrace.jobs.worker import run_pass
from medtrace.quality.choices import CapaSource, ComplaintStatus
from medtrace.quality.models import Capa, Complaint
from medtrace.quality.services import complaints as complaint_services
from medtrace.trace.choices import ObjectRole, PartyRole
from medtrace.trace.models import Consignment, Containment, EventObject, Lot, Unit

pytestmark = pytest.mark.django_db

LIST, API = "/analytics/complaint-trends/", "/api/v1/analytics/complaint-trends"


def _today():
    return timezone.localdate()


def _walked(organization, months) -> dict[tuple[int, int], float]:
    """Units shipped per (item, month), one consignment and one containment row at a time."""
    units = {unit.pk: unit.item_id for unit in Unit.objects.all()}
    lots = {lot.pk: lot.item_id for lot in Lot.objects.all()}
    held = defaultdict(list)
    for row in Containment.objects.all():
        held[row.container_id].append(row)
    packed = {
        (row.event_id, row.object_id): row.quantity
        for row in EventObject.objects.filter(role=ObjectRole.CHILD)
    }
    shipped: dict[tuple[int, int], float | None] = {}  # (object, event) → quantity
    sent = Consignment.objects.filter(organization=organization, role=PartyRole.DESTINATION)
    for consignment in sent:
        at = consignment.event_time
        shipped.setdefault((consignment.object_id, consignment.event_id), consignment.quantity)
        stack = [consignment.object_id]
        while stack:
            for row in held[stack.pop()]:
                if row.valid_from <= at and (row.valid_to is None or at < row.valid_to):
                    quantity = packed.get((row.packed_by_id, row.content_id))
                    shipped.setdefault((row.content_id, consignment.event_id), quantity)
                    stack.append(row.content_id)
    times = dict(sent.values_list("event_id", "event_time"))
    index = {month: position for position, month in enumerate(months)}
    found = defaultdict(float)
    for (object_id, event_id), quantity in shipped.items():
        month = timezone.localtime(times[event_id]).date().replace(day=1)
        if month not in index:
            continue
        if object_id in units:
            found[units[object_id], index[month]] += 1
        elif object_id in lots:
            found[lots[object_id], index[month]] += float(quantity or 0)
    return dict(found)


def test_units_shipped_as_counted_equal_a_walk_of_every_shipment(demo_plant):
    window = trends.window(None, _today())
    sites = [site.pk for site in demo_plant.sites.values()]
    counted = exposure.units_shipped(window.months, site_ids=sites)
    assert counted == pytest.approx(_walked(demo_plant.organization, window.months))
    devices = {Item.objects.get(pk=item_id).code for item_id, _month in counted}
    assert {"IS-2001", "CVC-3001"} <= devices
    # By lot: the same units, spread over the lots.
    by_lot = exposure.units_shipped(window.months, site_ids=sites, by_lot=True)
    assert sum(by_lot.values()) == pytest.approx(sum(counted.values()))
    # Counting again gives the same days.
    before = set(ShippedDay.objects.values_list("site", "item", "lot", "day", "quantity"))
    exposure.count(demo_plant.organization)
    assert set(ShippedDay.objects.values_list("site", "item", "lot", "day", "quantity")) == before


def test_units_shipped_are_counted_again_on_request(demo_plant, client):
    Refresh.objects.all().delete()
    ShippedDay.objects.all().delete()
    client.force_login(demo_plant.users["qa"])
    page = client.get(LIST).content.decode()
    assert "have not been counted yet" in page
    response = client.post(f"{LIST}count/", {"next": LIST + "?month=2026-01"})
    assert response.status_code == 302 and response.url == LIST + "?month=2026-01"
    assert Job.objects.filter(name=COUNT_SHIPPED, status=JobStatus.QUEUED).count() == 1
    run_pass("test-worker")
    counted = Refresh.objects.get(organization=demo_plant.organization, kind="shipped_units")
    assert counted.rows == ShippedDay.objects.count() > 0
    assert "Units shipped as counted at" in client.get(LIST).content.decode()


def test_the_window_and_its_refusals():
    window = trends.window(date(2026, 2, 1), date(2026, 12, 4), current=3, baseline=12)
    assert window.months[0] == date(2024, 12, 1) and window.months[-1] == date(2026, 2, 1)
    assert len(window.months) == 15
    assert window.current_first_day == date(2025, 12, 1)
    assert window.last_day == date(2026, 2, 28)
    refusals = {
        "has not begun": dict(month=date(2027, 1, 1)),
        "1 to 12 months": dict(month=None, current=13),
        "3 to 36 months": dict(month=None, baseline=2),
        "significance level": dict(month=None, alpha=0.1),
    }
    for message, arguments in refusals.items():
        with pytest.raises(DomainError, match=message):
            trends.window(today=date(2026, 12, 4), **arguments)


def _is_2001(user):
    window = trends.window(None, _today())
    [device] = [d for d in trends.complaint_trends(user, window=window) if d.item.code == "IS-2001"]
    return window, device


def _binomial_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def test_the_demo_clamp_complaints_signal(demo_plant):
    window, device = _is_2001(demo_plant.users["qa"])
    counted = Complaint.objects.filter(item=device.item).exclude(status=ComplaintStatus.CANCELLED)
    current = counted.filter(aware_on__gte=window.current_first_day)
    assert device.total.current_count == current.count() >= 6
    assert (
        device.total.baseline_count == counted.filter(aware_on__lt=window.current_first_day).count()
    )
    clamps = next(trend for trend in device.problems if trend.problem_code == "A05")
    assert clamps.current_count == current.filter(problem_code="A05").count() == 5
    assert clamps.signal and clamps.rate_signal
    # Given both periods' total, the current count is binomial with the current units' share.
    share = clamps.current_units / (clamps.current_units + clamps.baseline_units)
    total = clamps.current_count + clamps.baseline_count
    assert clamps.test.p_value == pytest.approx(_binomial_tail(5, total, share), rel=1e-9)
    assert device.total.signal
    # A failure mode without complaints this period does not signal.
    flow = next(trend for trend in device.problems if trend.problem_code == "A14")
    assert flow.current_count == 0 and not flow.signal


def test_cancelled_complaints_and_those_without_a_device_are_not_counted(demo_plant):
    qa = demo_plant.users["qa"]
    _window, before = _is_2001(qa)
    newest = Complaint.objects.filter(item=before.item, status=ComplaintStatus.RECEIVED).latest(
        "pk"
    )
    complaint_services.cancel(newest, by=qa, reason="Recorded twice.")
    complaint_services.receive_complaint(
        site=demo_plant.sites["SZ01"], by=qa, channel="phone", description="No label left.",
        aware_on=_today(),
    )  # fmt: skip
    _window, after = _is_2001(qa)
    assert after.total.current_count == before.total.current_count - 1


def _counted_links(content: str, marker: str) -> list[tuple[str, int]]:
    """(link, number) of every count cell marked `marker` on a page."""
    cells = re.findall(rf'<td class="number" {marker}><a href="([^"]+)">(\d+)</a>', content)
    return [(html.unescape(url), int(number)) for url, number in cells]


def _rows(client, url: str) -> int:
    page = client.get(url).content.decode()  # fewer than a page of complaints
    return len(re.findall(r'<tr data-complaint="', page))


def test_every_count_links_to_the_complaints_it_counts(demo_plant, client):
    client.force_login(demo_plant.users["qa"])
    content = client.get(LIST).content.decode()
    cells = _counted_links(content, "data-baseline-count") + _counted_links(
        content, "data-current-count"
    )
    assert len(cells) >= 12 and any(number > 0 for _url, number in cells)
    item = Item.objects.get(code="IS-2001")
    device = client.get(f"{LIST}{item.pk}/?problem=A05").content.decode()
    cells += _counted_links(device, "data-count")
    for url, number in cells:
        assert _rows(client, url) == number, url


def test_the_device_page_chart_data_and_table_agree(demo_plant, client):
    client.force_login(demo_plant.users["qa"])
    item = Item.objects.get(code="IS-2001")
    response = client.get(f"{LIST}{item.pk}/")
    data, trend = response.context["data"], response.context["trend"]
    assert sum(data["counts"]) == trend.baseline_count + trend.current_count
    assert len(data["months"]) == 15 and data["baseline"] == 12
    assert [row["count"] for row in response.context["months"]] == data["counts"]
    lots = response.context["lots"]
    assert (
        sum(rate.complaints for rate in lots)
        == Complaint.objects.filter(
            item=item, lot__isnull=False, aware_on__gte=trend.window.first_day
        )
        .exclude(status=ComplaintStatus.CANCELLED)
        .count()
    )
    assert 'id="trend-capa"' in response.content.decode()  # a signal, and QA may open a CAPA


def test_a_signal_opens_a_capa_linking_its_complaints(demo_plant, client):
    qa = demo_plant.users["qa"]
    client.force_login(qa)
    _window, device = _is_2001(qa)
    clamps = next(trend for trend in device.problems if trend.problem_code == "A05")
    current = list(trends.current_complaints(qa, None, clamps))
    unlinked = {complaint.pk for complaint in current if complaint.capa_id is None}
    assert len(current) == 5 and unlinked

    response = client.post(f"{LIST}{device.item.pk}/capa/", {"problem": "A05"})
    capa = Capa.objects.latest("pk")
    assert response.status_code == 302 and response.url == f"/quality/capas/{capa.pk}/"
    assert capa.source == CapaSource.TREND and "A05" in capa.title
    assert capa.site == demo_plant.sites["SZ01"]
    assert all(complaint.number in capa.problem_statement for complaint in current)
    assert "significant increase" in capa.problem_statement
    linked = set(Complaint.objects.filter(capa=capa).values_list("pk", flat=True))
    assert linked == unlinked
    entries = AuditEntry.objects.filter(
        object_type="quality.complaint", reason__contains=capa.number
    )
    assert {int(entry.object_id) for entry in entries} == linked


def test_no_signal_opens_no_capa(demo_plant, client):
    client.force_login(demo_plant.users["qa"])
    item = Item.objects.get(code="IS-2001")
    before = Capa.objects.count()
    response = client.post(f"{LIST}{item.pk}/capa/", {"problem": "A14"}, follow=True)
    assert "shows no signal" in response.content.decode()
    assert Capa.objects.count() == before
    api = client.post(f"{API}/{item.pk}/capa?problem=A14")
    assert api.status_code == 422 and Capa.objects.count() == before
    # The same call on the clamps' trend, which signals, opens one.
    raised = client.post(f"{API}/{item.pk}/capa?problem=A05")
    assert raised.status_code == 201 and Capa.objects.count() == before + 1
    capa = Capa.objects.get(pk=raised.json()["id"])
    assert capa.number == raised.json()["number"] and capa.source == CapaSource.TREND


def test_readers_see_their_sites_only(demo_plant, client):
    shenzhen = demo_plant.users["sz-qa"]
    window = trends.window(None, _today())
    assert trends.complaint_trends(shenzhen, window=window) == []
    item = Item.objects.get(code="IS-2001")
    trend = trends.device_trend(shenzhen, window=window, item=item)
    assert trend.counts == [0] * 15 and sum(trend.exposures) == 0
    nobody = create_user(
        organization=demo_plant.organization, username="no-roles", password=PASSWORD
    )
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(API).status_code == 403


def test_csv_pdf_and_api_agree_with_the_page(demo_plant, client):
    client.force_login(demo_plant.users["qa"])
    _window, device = _is_2001(demo_plant.users["qa"])
    rows = list(
        csv.reader(io.StringIO(client.get(LIST + "?format=csv").content.decode("utf-8-sig")))
    )
    total = next(row for row in rows if row[0] == "IS-2001" and row[1] == "All problems")
    assert (
        int(total[2]) == device.total.baseline_count and int(total[5]) == device.total.current_count
    )
    assert total[-1] == "Yes"

    listed = client.get(API).json()
    api_total = next(d for d in listed if d["item"] == "IS-2001")["total"]
    assert api_total["current_complaints"] == device.total.current_count
    assert api_total["p_value"] == pytest.approx(device.total.test.p_value)
    assert api_total["signal"] is True
    one = client.get(f"{API}/{device.item.pk}?problem=A05").json()
    assert (
        sum(m["complaints"] for m in one["months"] if m["current"])
        == one["current_complaints"]
        == 5
    )
    assert client.get(API + "?month=2026-13").status_code == 422
    assert client.get(API + "?alpha=0.2").status_code == 422
    assert client.get(f"{API}/{device.item.pk}?problem=Z99").status_code == 422
    assert client.get(f"{API}/999999").status_code == 404

    pdf = client.get(f"{LIST}{device.item.pk}/report.pdf?problem=A05")
    assert pdf["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(page.extract_text() for page in pages).replace("\n", " ")
    assert "Article 88" in text and "significant increase" in text
    numbers = [c.number for c in trends.current_complaints(demo_plant.users["qa"], None, next(
        t for t in device.problems if t.problem_code == "A05"))]  # fmt: skip
    assert numbers and all(number in text for number in numbers)


def test_the_complaint_list_takes_the_trend_filters(demo_plant, client):
    client.force_login(demo_plant.users["qa"])
    item = Item.objects.get(code="IS-2001")
    first, last = date(2000, 1, 1), _today()
    url = (
        f"/quality/complaints/?item={item.pk}&aware_from={first}&aware_to={last}&problem_code=none"
    )
    uncoded = Complaint.objects.filter(item=item, problem_code="").count()
    assert _rows(client, url) == uncoded
    api = client.get(f"/api/v1/quality/complaints?item_id={item.pk}&counted=true&page_size=100")
    expected = Complaint.objects.filter(item=item).exclude(status=ComplaintStatus.CANCELLED)
    assert api.json()["count"] == expected.count()


def test_the_api_queues_the_count_as_the_page_does(client, qa_a, organization):
    client.force_login(qa_a)
    response = client.post(f"{API}/count")
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(name=COUNT_SHIPPED)
    assert body["id"] == job.pk and body["name"] == COUNT_SHIPPED
    assert body["status"] == JobStatus.QUEUED and body["finished_at"] is None
    assert (job.created_by, job.organization) == (qa_a, organization)
    entry = AuditEntry.objects.get(object_type="jobs.job", object_id=job.pk)
    assert entry.action == "create" and entry.changes == {"name": [None, COUNT_SHIPPED]}
    # A second press before the job ran answers the same job.
    assert client.post(f"{API}/count").json()["id"] == job.pk
    assert Job.objects.filter(name=COUNT_SHIPPED).count() == 1
    done = job_services.run_claimed(job_services.claim_next("test-worker"))
    assert done.status == JobStatus.SUCCEEDED
    assert exposure.last_count(organization.pk) is not None


def test_the_api_count_is_refused_without_the_role_or_with_a_read_only_token(
    client, make_user, qa_a, site_a
):
    nobody = make_user("no-roles")
    client.force_login(nobody)
    refused = client.post(f"{API}/count")
    assert refused.status_code == 403
    assert trends.PERM in refused.json()["error"]["message"]
    client.logout()
    _token, secret = create_api_token(
        user=qa_a, name="ro", sites=[site_a], can_write=False, expires_in_days=1, by=qa_a
    )
    refused = client.post(f"{API}/count", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "token_read_only"
    assert not Job.objects.exists()
    assert not AuditEntry.objects.filter(object_type="jobs.job").exists()
