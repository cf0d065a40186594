"""Dashboard server time on the demo plant. Goal (issue 11): every dashboard renders in
≤ 500 ms. Measured in-process, median and p95 over ROUNDS requests after one warm-up: the home
dashboard of the QA manager (all sites: every tile counted) and of the warehouse, supplier
quality, the SPC list and the busiest SPC chart, the lot risk list and the riskiest lot, the
complaint trends and the infusion set's. (The
1M-unit plant of the issue is still to come: bench_trace.py builds one in about an hour;
bench_spc.py times the largest chart, bench_risk.py the risk signals on a large plant.)

    python bench/bench_dashboards.py                          # SQLite
    scripts/with-postgres python bench/bench_dashboards.py    # PostgreSQL
"""

import os
import sys
import tempfile

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

import timing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from medtrace.catalog.models import Item  # noqa: E402
from medtrace.demo import DEMO_PASSWORD, generate  # noqa: E402
from medtrace.production.models import ParameterReading  # noqa: E402

GOAL_MS = 500
ROUNDS = 30


def measure(label: str, call) -> bool:
    return timing.measure(label, call, rounds=ROUNDS, goal_ms=GOAL_MS)


def main() -> int:
    call_command("migrate", verbosity=0)
    generate()
    clients = {}
    for username in ("qa", "warehouse"):
        clients[username] = Client()
        clients[username].login(username=username, password=DEMO_PASSWORD)
    busiest = (
        ParameterReading.objects.values(
            "operation__work_order__item__code", "operation__name", "parameter"
        )
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    chart = {
        "item": busiest["operation__work_order__item__code"],
        "operation": busiest["operation__name"],
        "parameter": busiest["parameter"],
    }
    qa = clients["qa"]
    top = qa.get("/api/v1/analytics/risk/lots").json()[0]["lot_id"]
    trend = f"/analytics/complaint-trends/{Item.objects.get(code='IS-2001').pk}/"
    print(f"{connection.vendor}, demo plant, {ROUNDS} rounds each, goal: median ≤ {GOAL_MS} ms")
    results = [
        measure("home, QA manager (all sites)", lambda: qa.get("/")),
        measure("home, warehouse", lambda: clients["warehouse"].get("/")),
        measure("supplier quality", lambda: qa.get("/analytics/suppliers/")),
        measure("one supplier by quarter", lambda: qa.get("/analytics/suppliers/SUP-SHTYV/")),
        measure("SPC list", lambda: qa.get("/analytics/spc/")),
        measure("SPC chart (busiest parameter)", lambda: qa.get("/analytics/spc/chart/", chart)),
        measure("lot risk signals", lambda: qa.get("/analytics/risk/")),
        measure("one lot's risk (highest score)", lambda: qa.get(f"/analytics/risk/lots/{top}/")),
        measure("complaint trends", lambda: qa.get("/analytics/complaint-trends/")),
        measure("one device's complaint trend", lambda: qa.get(trend)),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
