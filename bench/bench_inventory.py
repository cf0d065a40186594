"""Stock movement and stock reading costs. Goals (2-core machine): a scanned movement (one
lot, one transfer through `moves.move`: status check, EPCIS event, ledger) ≤ 30 ms median;
the stock list with statuses over 5,000 lots ≤ 150 ms for its first page; the first 50 FEFO
candidates of an item with 1,000 lots in stock ≤ 30 ms.

    python bench/bench_inventory.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_inventory.py    # PostgreSQL
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.epcis.model import Event, QuantityElement, TypedId  # noqa: E402
from medtrace.inventory import selectors  # noqa: E402
from medtrace.inventory.choices import Operation  # noqa: E402
from medtrace.inventory.ledger import location_uri  # noqa: E402
from medtrace.inventory.services import moves  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.scan.checks import gs1_check_digit  # noqa: E402
from medtrace.trace.services.recording import record_events  # noqa: E402

LOTS = 5_000
GTINS = 5  # so an item has LOTS / GTINS lots in stock
FEFO_LOTS = LOTS // GTINS
MOVES = 200
MOVE_GOAL_MS = 30
LIST_GOAL_MS = 150
FEFO_GOAL_MS = 30
TODAY = date(2026, 12, 1)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def build():
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    org.create_default_locations(site=site)
    bins = [
        org.create_location(site=site, code=f"A-{n:02d}", name=f"货位 {n}", kind="stock")
        for n in range(1, 21)
    ]
    user = create_user(organization=organization, username="bench", password="Bench-pass-2026!")
    org.grant_role(user=user, site=site, role=Role.QA_MANAGER)
    gtins = [f"069012340000{n}" for n in range(GTINS)]
    gtins = [body + gs1_check_digit(body) for body in gtins]
    # The stock arrives the way a feed brings it: receipts naming their destination bin.
    events = []
    for n in range(LOTS):
        lot = f"https://id.gs1.org/01/{gtins[n % len(gtins)]}/10/L{n:06d}"
        events.append(
            Event(
                event_type="ObjectEvent",
                event_id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
                event_time=django.utils.timezone.now() - timedelta(days=30),
                event_time_zone_offset="+08:00",
                action="ADD",
                biz_step="receiving",
                disposition="available",
                quantity_list=(QuantityElement(lot, Decimal(100)),),
                destinations=(TypedId("location", location_uri(bins[n % len(bins)])),),
                ilmd={"cbvmda:itemExpirationDate": (TODAY + timedelta(days=n % 700)).isoformat()},
            )
        )
    record_events(events, organization=organization, site=site, by=user, create_missing=True)
    return site, bins, user


def main() -> int:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    site, bins, user = build()
    print(f"{LOTS} lots received into {len(bins)} bins in {time.perf_counter() - started:.1f} s")
    from medtrace.inventory.models import Stock

    held = list(Stock.objects.select_related("object").order_by("pk")[:MOVES])
    durations = [
        timed(
            lambda stock=stock: moves.move(
                site=site,
                lines=[moves.Line(stock.object, Decimal(1))],
                operation=Operation.TRANSFER,
                biz_step="storing",
                source=stock.location,
                destination=bins[(bins.index(stock.location) + 1) % len(bins)],
                by=user,
            )
        )
        for stock in held
    ]
    move_ms = statistics.median(durations)
    listing = [
        timed(lambda: list(selectors.stock_list(user, today=TODAY, site=site)[:50]))
        for _ in range(20)
    ]
    list_ms = statistics.median(listing)
    item = held[0].item
    # A picking list shows the first candidates; the API's default page is 50.
    fefo = [timed(lambda: selectors.fefo(site, item, today=TODAY, limit=50)) for _ in range(20)]
    fefo_ms = statistics.median(fefo)
    print(f"database: {connection.vendor}")
    results = [
        ("scanned movement (median)", move_ms, MOVE_GOAL_MS),
        (f"stock list, first page of {LOTS} lots (median)", list_ms, LIST_GOAL_MS),
        (f"FEFO, first 50 of an item's {FEFO_LOTS} lots (median)", fefo_ms, FEFO_GOAL_MS),
    ]
    failed = False
    for label, value, goal in results:
        verdict = "ok" if value <= goal else "MISSED"
        failed |= value > goal
        print(f"{label:<48} {value:8.1f} ms   goal ≤ {goal} ms   {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
