"""Cycle counts post reason-coded adjustments (signed above the threshold, refused when the
books moved under the count); the expiry job marks lots at the site's midnight; the stock
list, FEFO and the expiry forecast read the same statuses."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory import selectors
from medtrace.inventory.choices import CountStatus, StockStatus
from medtrace.inventory.models import Stock
from medtrace.inventory.services import counts, expiry
from medtrace.trace.models import TraceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_a(make_user, site_a):
    """Approves large adjustments (a QA manager)."""
    return make_user("supervisor-a", (site_a, Role.QA_MANAGER))


def books(lot):
    return {row.location.code: row.quantity for row in Stock.objects.filter(lot=lot)}


def test_a_small_difference_is_posted_by_the_counter_with_its_reason(
    bins, resin, make_lot, put, clerk_a
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 100)
    count = counts.start_count(location=bins["A-01"], by=clerk_a)
    [line] = count.lines.all()
    assert (line.expected, line.counted) == (Decimal(100), None)
    counts.record_counted(count, obj=lot, location=bins["A-01"], counted="97", by=clerk_a)
    with pytest.raises(DomainError) as refused:
        counts.post(count, by=clerk_a)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    counts.record_counted(
        count, obj=lot, location=bins["A-01"], counted="97", reason="damaged", by=clerk_a
    )
    posted = counts.post(count, by=clerk_a)
    assert posted.status == CountStatus.POSTED
    assert books(lot) == {"A-01": Decimal(97)}
    adjustment = posted.lines.get().adjustment
    assert adjustment.biz_step == "cycle_counting" and "Damaged in storage" in adjustment.reason
    assert AuditEntry.objects.filter(object_id=str(count.pk), action="transition").exists()


def test_a_large_difference_or_found_stock_needs_an_approvers_signature(
    bins, resin, make_lot, put, clerk_a, supervisor_a
):
    lot, stray = make_lot(resin, "R1"), make_lot(resin, "R2")
    put(lot, bins["A-01"], 100)
    count = counts.start_count(location=bins["A-01"], by=clerk_a)
    counts.record_counted(count, obj=lot, location=bins["A-01"], counted=100, by=clerk_a)
    counts.record_counted(
        count, obj=stray, location=bins["A-01"], counted=4, reason="found", by=clerk_a
    )
    assert counts.needs_approval(count)
    with pytest.raises(DomainError) as refused:
        counts.post(count, by=clerk_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert books(stray) == {}
    counts.post(count, by=supervisor_a, password=PASSWORD)
    assert books(stray) == {"A-01": Decimal(4)}
    assert Signature.objects.filter(object_id=str(count.pk), meaning="approved").exists()


def test_a_count_is_refused_when_stock_moved_under_it(
    bins, resin, make_lot, put, clerk_a, supervisor_a
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 10)
    count = counts.start_count(location=bins["A-01"], by=clerk_a)
    put(lot, bins["A-01"], 5)  # a receipt put away while counting
    counts.record_counted(
        count, obj=lot, location=bins["A-01"], counted=15, reason="miscount", by=clerk_a
    )
    with pytest.raises(DomainError) as refused:
        counts.post(count, by=supervisor_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.CONFLICT
    assert books(lot) == {"A-01": Decimal(15)}


@pytest.mark.parametrize(("counted", "rule"), [("-1", "zero or more"), ("x", "zero or more")])
def test_a_count_must_be_a_number(bins, resin, make_lot, put, clerk_a, counted, rule):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 10)
    count = counts.start_count(location=bins["A-01"], by=clerk_a)
    with pytest.raises(DomainError, match=rule):
        counts.record_counted(count, obj=lot, location=bins["A-01"], counted=counted, by=clerk_a)


def test_the_expiry_job_marks_lots_in_stock_at_the_sites_midnight(
    site_a, bins, resin, make_lot, put
):
    lot = make_lot(resin, "R1", expires_on=date(2026, 6, 30))
    put(lot, bins["A-01"], 10, at=datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC")))
    zone = ZoneInfo(site_a.time_zone)
    before_midnight = datetime(2026, 6, 30, 23, 59, tzinfo=zone)
    assert expiry.mark_expired(now=before_midnight) == []
    after_midnight = before_midnight + timedelta(minutes=2)
    assert expiry.mark_expired(now=after_midnight) == [lot]
    assert expiry.mark_expired(now=after_midnight + timedelta(hours=1)) == []
    event = TraceEvent.objects.get(disposition="expired")
    assert event.reason == "Expiry date 2026-06-30 passed" and event.recorded_by is None
    lot.refresh_from_db()
    assert lot.disposition == "expired"


def test_fefo_and_forecast_read_the_statuses(site_a, bins, resin, make_lot, put, admin_a):
    today = date(2026, 12, 1)
    early = make_lot(resin, "E1", expires_on=date(2027, 1, 10))
    late = make_lot(resin, "L1", expires_on=date(2027, 5, 1))
    held = make_lot(resin, "H1", expires_on=date(2026, 12, 20))
    past = make_lot(resin, "P1", expires_on=date(2026, 11, 1))
    put(late, bins["A-01"], 5)
    put(early, bins["A-02"], 5)
    put(held, bins["A-01"], 5, disposition="non_conformant")
    put(past, bins["A-01"], 5)
    candidates = selectors.fefo(site_a, resin, today=today)
    assert [row.lot.lot_number for row in candidates] == ["E1", "L1"]
    assert [
        row.lot.lot_number
        for row in selectors.fefo(site_a, resin, today=today, min_expires_on=date(2027, 3, 1))
    ] == ["L1"]
    listed = {row.lot.lot_number: row.status for row in selectors.stock_list(admin_a, today=today)}
    assert listed == {
        "E1": StockStatus.AVAILABLE,
        "L1": StockStatus.AVAILABLE,
        "H1": StockStatus.ON_HOLD,
        "P1": StockStatus.EXPIRED,
    }
    forecast = selectors.expiry_forecast(admin_a, today=today)
    assert [(row["lot__lot_number"], row["bucket"]) for row in forecast] == [
        ("P1", 0),
        ("H1", 30),
        ("E1", 60),
    ]
