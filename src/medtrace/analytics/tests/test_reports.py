"""Management reports on the demo plant: the periods; the weekly summary counts what its
sections say, at the reader's sites only; the supplier scorecard is the supplier ranking;
PDF and Excel carry the same rows, and Excel never runs a formula; the daily job e-mails each
subscription once per period, records why one could not go, and tries it again; subscribing
and stopping from the page and the API, with their refusals."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from medtrace.analytics import report_services, reports, suppliers
from medtrace.analytics.choices import DeliveryStatus, ReportFormat, ReportKind
from medtrace.analytics.models import ReportDelivery, ReportSubscription
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError
from medtrace.quality.models import Nonconformance

pytestmark = pytest.mark.django_db
PAGE, API = "/analytics/reports/", "/api/v1/analytics/reports"


def test_the_last_whole_period():
    wednesday = date(2026, 12, 2)
    assert reports.last_period(ReportKind.WEEKLY_QUALITY, wednesday) == (
        date(2026, 11, 23), date(2026, 11, 29)
    )  # fmt: skip
    monday = date(2026, 11, 30)
    assert reports.last_period(ReportKind.WEEKLY_QUALITY, monday) == (
        date(2026, 11, 23), date(2026, 11, 29)
    )  # fmt: skip
    assert reports.last_period(ReportKind.MONTHLY_SUPPLIERS, date(2026, 1, 15)) == (
        date(2025, 12, 1), date(2025, 12, 31)
    )  # fmt: skip


def _this_week():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()), today


def test_the_weekly_summary_counts_at_the_readers_sites(demo_plant):
    since, until = _this_week()
    qa, shenzhen = demo_plant.users["qa"], demo_plant.users["sz-qa"]
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, zone)
    end = datetime.combine(until + timedelta(days=1), time.min, zone)
    for user in (qa, shenzhen):
        report = reports.build(ReportKind.WEEKLY_QUALITY, user, since=since, until=until)
        activity = {row[0]: row[1:] for row in report.sections[0].rows}
        sites = {site.pk for site in demo_plant.sites.values() if user.has_perm(
            "quality.view_nonconformance", site)}  # fmt: skip
        opened = Nonconformance.objects.filter(
            site_id__in=sites, opened_at__gte=start, opened_at__lt=end
        ).count()
        assert activity["Nonconformances"][0] == opened
        titles = [section.title for section in report.sections]
        assert titles[:2] == ["Opened and closed in the period", "Needs attention now"]
    # The demo's clamp complaints signal at SZ01, which Shenzhen's QA does not see.
    mine = reports.build(ReportKind.WEEKLY_QUALITY, qa, since=since, until=until)
    theirs = reports.build(ReportKind.WEEKLY_QUALITY, shenzhen, since=since, until=until)
    assert any(row[0] == "IS-2001" for row in mine.sections[2].rows)
    assert theirs.sections[2].rows == []


def test_the_scorecard_is_the_supplier_ranking_and_both_files_carry_it(demo_plant):
    buyer = demo_plant.users["buyer"]
    since, until = date.today() - timedelta(days=365), date.today()
    report = reports.build(ReportKind.MONTHLY_SUPPLIERS, buyer, since=since, until=until)
    ranked = suppliers.supplier_quality(buyer, period=suppliers.Period(since, until))
    [section] = report.sections
    assert [row[1].split()[0] for row in section.rows] == [row.supplier.code for row in ranked]
    assert len(ranked) >= 2

    book = load_workbook(io.BytesIO(reports.as_xlsx(report)))
    sheet = book[book.sheetnames[1]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Rank", "Supplier") and len(rows) >= len(ranked) + 1
    assert [row[1] for row in rows[1 : len(ranked) + 1]] == [row[1] for row in section.rows]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.as_pdf(
        report))).pages).replace("\n", " ")  # fmt: skip
    assert "Monthly supplier scorecard" in text and ranked[0].supplier.code in text


def test_excel_text_never_becomes_a_formula(demo_plant):
    report = reports.Report(
        ReportKind.WEEKLY_QUALITY, "=title", date(2026, 1, 1), date(2026, 1, 7), None,
        demo_plant.users["qa"], [reports.Section("=HYPERLINK()", ["=a"], [["=cmd()", 1]])],
        timezone.now(),
    )  # fmt: skip
    book = load_workbook(io.BytesIO(reports.as_xlsx(report)))
    assert book[book.sheetnames[0]]["A1"].value == "'=title"
    assert [cell.value for cell in book[book.sheetnames[1]][2]] == ["'=cmd()", 1]


def test_each_subscription_gets_its_period_once_and_failures_are_tried_again(demo_plant):
    qa, buyer = demo_plant.users["qa"], demo_plant.users["buyer"]
    today = timezone.localdate()
    assert ReportSubscription.objects.filter(active=True).count() == 2  # the demo's
    delivered = report_services.deliver_due(today)
    assert {d.status for d in delivered} == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([qa.email, buyer.email])
    weekly = next(m for m in mail.outbox if m.to == [qa.email])
    name, content, content_type = weekly.attachments[0]
    assert content_type == "application/pdf" and content.startswith(b"%PDF")
    since, _until = reports.last_period(ReportKind.WEEKLY_QUALITY, today)
    assert name == f"weekly-quality-{since:%Y-%m-%d}.pdf"
    monthly = next(m for m in mail.outbox if m.to == [buyer.email])
    assert monthly.attachments[0][0].endswith(".xlsx")

    assert report_services.deliver_due(today) == [] and len(mail.outbox) == 2  # once a period

    # No address: recorded as failed with the reason, and tried again the next day.
    subscription = ReportSubscription.objects.get(user=qa)
    ReportDelivery.objects.filter(subscription=subscription).delete()
    qa.email = ""
    qa.save(update_fields=["email"])
    [failed] = report_services.deliver_due(today)
    assert failed.status == DeliveryStatus.FAILED and "no e-mail address" in failed.error
    qa.email = "qa@example.com"
    qa.save(update_fields=["email"])
    [again] = report_services.deliver_due(today)
    assert again.pk == failed.pk and again.status == DeliveryStatus.SENT


def test_subscribing_and_stopping_from_the_page(demo_plant, client):
    engineer = demo_plant.users["engineer"]
    client.force_login(engineer)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'data-report="weekly_quality"' in page.content.decode()
    # Shenzhen is not one of the engineer's sites: the form does not offer it.
    refused = client.post(PAGE, {"report": "weekly_quality", "file_format": "xlsx",
                                 "site": demo_plant.sites["SZ02"].pk})  # fmt: skip
    assert refused.status_code == 200 and not ReportSubscription.objects.filter(user=engineer)
    response = client.post(PAGE, {"report": "weekly_quality", "file_format": "xlsx",
                                  "site": demo_plant.sites["SZ01"].pk})  # fmt: skip
    subscription = ReportSubscription.objects.get(user=engineer)
    assert response.status_code == 302 and subscription.active
    assert subscription.site == demo_plant.sites["SZ01"]
    assert AuditEntry.objects.filter(object_type="analytics.reportsubscription").exists()
    stop = client.post(f"{PAGE}subscriptions/{subscription.pk}/stop/")
    subscription.refresh_from_db()
    assert stop.status_code == 302 and not subscription.active and subscription.stopped_at
    # Someone else's subscription is not theirs to stop.
    other = ReportSubscription.objects.exclude(user=engineer).first()
    assert client.post(f"{PAGE}subscriptions/{other.pk}/stop/").status_code == 404

    download = client.get(f"{PAGE}monthly_suppliers.xlsx")
    assert download["Content-Type"] == reports.CONTENT_TYPES[ReportFormat.XLSX]
    assert load_workbook(io.BytesIO(download.content)).sheetnames[1] == "Suppliers ranked"


def test_the_subscription_rules(demo_plant):
    shenzhen_qa = demo_plant.users["sz-qa"]
    with pytest.raises(DomainError, match="at SZ01"):
        report_services.subscribe(
            by=shenzhen_qa, report=ReportKind.WEEKLY_QUALITY, file_format=ReportFormat.PDF,
            site=demo_plant.sites["SZ01"],
        )  # fmt: skip
    with pytest.raises(DomainError, match="PDF or Excel"):
        report_services.subscribe(
            by=shenzhen_qa, report=ReportKind.WEEKLY_QUALITY, file_format="doc"
        )
    subscription = ReportSubscription.objects.get(user=demo_plant.users["qa"])
    report_services.stop(subscription, by=demo_plant.users["qa"])
    with pytest.raises(DomainError, match="stopped already"):
        report_services.stop(subscription, by=demo_plant.users["qa"])


def test_the_api(demo_plant, client):
    client.force_login(demo_plant.users["sz-qa"])
    listed = client.get(API).json()
    assert {row["report"] for row in listed} == {"weekly_quality", "monthly_suppliers"}

    def post(body: dict):
        return client.post(f"{API}/subscriptions", body, content_type="application/json")

    created = post({"report": "monthly_suppliers", "file_format": "xlsx", "site": "sz02"})
    assert created.status_code == 201 and created.json()["site"] == "SZ02"
    refused = post({"report": "monthly_suppliers", "site": "SZ01"})
    assert refused.status_code == 404  # not a site of theirs
    assert post({"report": "yearly"}).status_code == 422
    mine = client.get(f"{API}/subscriptions").json()
    assert [row["id"] for row in mine] == [created.json()["id"]]
    stopped = client.post(f"{API}/subscriptions/{created.json()['id']}/stop")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    pdf = client.get(f"{API}/weekly_quality?file_format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
