"""SPC chart cost. Goal (issue 11): every dashboard renders in ≤ 500 ms server time. A control
chart is at its largest with MAX_SUBGROUPS subgroups: here a parameter read five times in each
of 2,000 work orders (10,000 readings; the chart takes the latest 500 orders), charted X̄-R
with Nelson's rules and capability, measured as the series read (selectors.parameter), the
analysis alone, and the whole page rendered through the test client.

The orders and readings are written in bulk (this measures reading and charting them, not
recording them: bench_production.py times that).

    python bench/bench_spc.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_spc.py    # PostgreSQL
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from bench_trace import setup  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from medtrace.analytics import selectors  # noqa: E402
from medtrace.analytics.analysis import analyse, as_data  # noqa: E402
from medtrace.catalog.models import Item  # noqa: E402
from medtrace.production.models import ParameterReading, WorkOrder, WorkOrderOperation  # noqa: E402

ORDERS = 2_000
PER_ORDER = 5
RUNS = 15
PAGE_GOAL_MS = 500
PARAMETER = {"item": "FG-BENCH", "operation": "封口 Sealing", "parameter": "封口温度"}


def plant(organization, site, user) -> None:
    item = Item.objects.create(organization=organization, code=PARAMETER["item"],
                               name="基准产品", kind="finished_device")  # fmt: skip
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(organization=organization, site=site, number=f"WO-B-{n:05d}", item=item,
                  quantity=Decimal(100), unit="EA", created_by=user)
        for n in range(ORDERS)
    )  # fmt: skip
    operations = WorkOrderOperation.objects.bulk_create(
        WorkOrderOperation(work_order=order, position=10, name=PARAMETER["operation"])
        for order in orders
    )
    rng = random.Random(2026)
    start = timezone.now() - timedelta(hours=ORDERS)
    ParameterReading.objects.bulk_create(
        (
            ParameterReading(
                operation=operation, parameter=PARAMETER["parameter"], unit="°C",
                value=Decimal(str(round(rng.gauss(150, 1.2), 2))), lower_limit=140, target=150,
                upper_limit=160, within_limits=True, source="machine", recorded_by=user,
                read_at=start + timedelta(hours=number, minutes=reading),
            )
            for number, operation in enumerate(operations)
            for reading in range(PER_ORDER)
        ),
        batch_size=2_000,
    )  # fmt: skip


def median_ms(action) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    call_command("migrate", verbosity=0)
    organization, site, user = setup()
    plant(organization, site, user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    series = selectors.parameter(user, **PARAMETER)
    read = median_ms(lambda: selectors.parameter(user, **PARAMETER))
    charted = median_ms(lambda: as_data(analyse(series, 25)))
    client = Client()
    client.force_login(user)
    assert client.get("/analytics/spc/chart/", PARAMETER).status_code == 200
    page = median_ms(lambda: client.get("/analytics/spc/chart/", {**PARAMETER, "baseline": 25}))
    listed = median_ms(lambda: client.get("/analytics/spc/"))
    ok = page <= PAGE_GOAL_MS and listed <= PAGE_GOAL_MS
    print(
        f"{connection.vendor}: {ORDERS * PER_ORDER:,} readings in {ORDERS:,} orders, "
        f"{len(series.subgroups)} subgroups charted (median of {RUNS}): series read "
        f"{read:.1f} ms, analysis {charted:.1f} ms, chart page {page:.1f} ms, list page "
        f"{listed:.1f} ms (goal ≤ {PAGE_GOAL_MS} ms)  {'ok' if ok else 'SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
