"""Integration costs. Goals: publishing adds < 1 ms (median) to an audited change when three
subscriptions want it, and < 0.3 ms when none does; one worker delivers ≥ 100 webhooks/s to a
local receiver; a feed page of 100 from a feed of 10,000 reads in ≤ 50 ms; a machine batch of
1,000 state rows records in ≤ 3 s.

    python bench/bench_integration.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_integration.py    # PostgreSQL
"""

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.audit import services as audit  # noqa: E402
from medtrace.audit.choices import AuditAction  # noqa: E402
from medtrace.equipment import services as equipment_services  # noqa: E402
from medtrace.equipment.choices import EquipmentType  # noqa: E402
from medtrace.integration import delivery, intake, outbox, selectors, services  # noqa: E402
from medtrace.integration.tests import receiver as receiving  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.partners.services.suppliers import create_supplier  # noqa: E402

WRITES = 300
DELIVERIES = 1000
FEED = 10_000
STATES = 1000
GOALS = {"publish_3": 1.0, "publish_0": 0.3, "deliveries": 100, "feed": 50.0, "states": 3.0}


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def verdict(ok: bool) -> str:
    return "ok" if ok else "SLOW"


def setup():
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    admin = create_user(
        organization=organization, username="bench-admin", password="Bench-password-2026!"
    )
    org.grant_role(user=admin, site=site, role=Role.SYSTEM_ADMIN)
    admin.refresh_from_db()
    return organization, site, admin


def change_supplier(supplier, number, by):
    with transaction.atomic():
        before = audit.snapshot(supplier)
        supplier.name = f"供应商 {number}"
        supplier.save(update_fields=["name"])
        audit.record(AuditAction.CHANGE, supplier, by=by, changes=audit.diff(before, supplier))


@contextmanager
def publish_timed():
    """Time each call of the outbox from the audit trail: what publishing adds to a change."""
    spent: list[float] = []
    publish = outbox.publish_change

    def timed_publish(entry):
        started = time.perf_counter()
        publish(entry)
        spent.append((time.perf_counter() - started) * 1000)

    outbox.publish_change = timed_publish
    try:
        yield spent
    finally:
        outbox.publish_change = publish


def measure_publishing(organization, site, admin) -> list[bool]:
    supplier = create_supplier(organization=organization, code="S-BENCH", name="供应商", by=admin)
    with publish_timed() as unwanted:
        changes = [timed(lambda n=n: change_supplier(supplier, n, admin)) for n in range(WRITES)]
    for name, url in (
        ("ERP", "http://127.0.0.1:9/a"),
        ("MES", "http://127.0.0.1:9/b"),
        ("Feed", ""),
    ):
        services.create_subscription(
            organization=organization,
            name=name,
            url=url,
            topics=["partners.supplier"],
            sites=[site],
            by=admin,
        )
    with publish_timed() as wanted:
        published = [timed(lambda n=n: change_supplier(supplier, n, admin)) for n in range(WRITES)]
    none, three = statistics.median(unwanted), statistics.median(wanted)
    print(
        f"audited change (a supplier renamed): {statistics.median(changes):.3f} ms with nobody "
        f"subscribed, of which the outbox's lookup {none:.3f} ms  goal < {GOALS['publish_0']} ms  "
        f"{verdict(none < GOALS['publish_0'])}"
    )
    print(
        f"audited change published to three subscriptions: {statistics.median(published):.3f} ms, "
        f"of which publishing {three:.3f} ms (median of {WRITES})  goal < {GOALS['publish_3']} ms  "
        f"{verdict(three < GOALS['publish_3'])}"
    )
    return [none < GOALS["publish_0"], three < GOALS["publish_3"]]


def measure_delivery(organization, site, admin) -> bool:
    receiver = receiving.start()
    try:
        services.create_subscription(
            organization=organization,
            name="Receiver",
            url=receiver.url,
            topics=["partners.supplier"],
            sites=[site],
            by=admin,
        )
        supplier = create_supplier(
            organization=organization, code="S-HOOK", name="供应商", by=admin
        )
        from medtrace.integration.models import Delivery, Subscription

        Subscription.objects.exclude(name="Receiver").update(is_active=False)
        for number in range(DELIVERIES - 1):
            change_supplier(supplier, number, admin)
        due = Delivery.objects.filter(subscription__name="Receiver", status="pending").count()
        start = time.perf_counter()
        sent = delivery.deliver_due("bench-worker")
        seconds = time.perf_counter() - start
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    rate = sent / seconds
    print(
        f"delivery: {sent} of {due} webhooks in {seconds:.2f} s = {rate:,.0f}/s by one worker "
        f"({len(receiver.unique_ids())} received)  goal ≥ {GOALS['deliveries']}/s  "
        f"{verdict(rate >= GOALS['deliveries'])}"
    )
    return rate >= GOALS["deliveries"] and len(receiver.unique_ids()) == sent


def measure_feed(organization, site, admin) -> bool:
    from medtrace.integration.models import Subscription

    feed = Subscription.objects.get(name="Feed")
    Subscription.objects.filter(pk=feed.pk).update(is_active=True)
    supplier = create_supplier(organization=organization, code="S-FEED", name="供应商", by=admin)
    while feed.deliveries.count() < FEED:
        change_supplier(supplier, feed.deliveries.count(), admin)
    middle = FEED // 2
    times = [timed(lambda: selectors.feed(feed, after=middle, limit=100)) for _ in range(50)]
    median = statistics.median(times)
    print(
        f"feed: a page of 100 after #{middle} of {FEED:,}: {median:.2f} ms median  "
        f"goal ≤ {GOALS['feed']} ms  {verdict(median <= GOALS['feed'])}"
    )
    return median <= GOALS["feed"]


def measure_states(site, admin) -> bool:
    equipment_services.create_equipment(
        site=site,
        code="IM-01",
        name="注塑机",
        equipment_type=EquipmentType.INJECTION_MOLDING,
        by=admin,
    )
    start_at = timezone.now() - timedelta(days=7)
    rows = [
        {
            "equipment": "IM-01",
            "state": ("running", "idle", "setup", "down")[number % 4],
            "at": (start_at + timedelta(minutes=10 * number)).isoformat(),
            "client_id": f"IM-01-{number}",
        }
        for number in range(STATES)
    ]
    started = time.perf_counter()
    _readings, results = intake.record_machine_data(
        site=site, readings_rows=[], state_rows=rows, by=admin
    )
    seconds = time.perf_counter() - started
    recorded = sum(1 for result in results if result.error is None)
    print(
        f"machine data: {recorded} of {STATES} state rows in {seconds:.2f} s  "
        f"goal ≤ {GOALS['states']} s  {verdict(seconds <= GOALS['states'])}"
    )
    return seconds <= GOALS["states"] and recorded == STATES


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    organization, site, admin = setup()
    results = [
        *measure_publishing(organization, site, admin),
        measure_delivery(organization, site, admin),
        measure_feed(organization, site, admin),
        measure_states(site, admin),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
