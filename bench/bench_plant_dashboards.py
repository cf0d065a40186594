"""Every dashboard on a synthetic plant of the size issue 11's goal names (1M units): the trace
of bench/plantgen.py imported as bench_trace.py does, and on top of it incoming inspections of
raw lots from SUPPLIERS suppliers over the plant's year (some rejected, opening NCRs), the risk
findings of bench_risk.py and the complaints of bench_trends.py. The hourly jobs (units shipped,
lot risk signals) run once, timed. Goal: every dashboard ≤ 500 ms server time, median over
ROUNDS requests after one warm-up, in-process.

    python bench/bench_plant_dashboards.py --units 20000                  # SQLite, minutes
    python bench/bench_plant_dashboards.py --units 1000000 --hospitals 500  # SQLite, 20 min
    MEDTRACE_DATA_DIR=<the last run's> BENCH_EXISTING=1 python bench/bench_plant_dashboards.py

The data directory is kept (its path is printed) so the plant can be measured again.
"""

import os
import random
import re
import sys
import tempfile
from datetime import timedelta

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

import timing  # noqa: E402
from bench_recall import build_plant, plant_arguments  # noqa: E402
from bench_risk import add_findings  # noqa: E402
from bench_trends import add_complaints  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Exists, Max, Min, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.analytics import exposure, risk_store  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.org.models import Organization  # noqa: E402
from medtrace.partners import services as partners  # noqa: E402
from medtrace.quality.choices import InspectionStage  # noqa: E402
from medtrace.quality.models import Complaint, InspectionRecord  # noqa: E402
from medtrace.quality.services import inspection as inspections  # noqa: E402
from medtrace.quality.services import inspection_plans  # noqa: E402
from medtrace.trace.choices import PartyRole  # noqa: E402
from medtrace.trace.models import Consignment, GenealogyLink, Lot, Unit  # noqa: E402

GOAL_MS = 500
ROUNDS = 10
SUPPLIERS = 20
INSPECTIONS = 150
REJECTED_SHARE = 0.08
PASSWORD = "Bench-password-2026"


def measure(label: str, call) -> bool:
    return timing.measure(label, call, rounds=ROUNDS, goal_ms=GOAL_MS)


def add_incoming_inspections(organization, site, user, rng: random.Random) -> None:
    """SUPPLIERS suppliers share the raw lots; INSPECTIONS of those lots are inspected (one
    pass/fail characteristic, 50 samples at lot size 500), dated over the plant's year."""
    suppliers = [
        partners.create_supplier(organization=organization, code=f"BS-{n:02d}", name=f"供应商{n}")
        for n in range(SUPPLIERS)
    ]
    # The plant's raw lots (imported with an unknown origin): the lots nothing was made into.
    # NOT EXISTS, an anti-join: PostgreSQL ran NOT IN over a million links row by row.
    made = GenealogyLink.objects.filter(target=OuterRef("pk"))
    raw = list(Lot.objects.filter(organization=organization).filter(~Exists(made)).order_by("pk"))
    for index, lot in enumerate(raw):
        lot.supplier = suppliers[index % SUPPLIERS]
    Lot.objects.bulk_update(raw, ["supplier"], batch_size=2_000)
    plans = {}
    span = Consignment.objects.filter(organization=organization).aggregate(
        first=Min("event_time"), last=Max("event_time")
    )
    days = max(1, (span["last"] - span["first"]).days)
    for lot in rng.sample(raw, min(INSPECTIONS, len(raw))):
        if lot.item_id not in plans:
            plans[lot.item_id] = inspection_plans.create_plan(
                organization=organization, code=f"BIP-{lot.item_id}", name="来料检验 Incoming",
                stage=InspectionStage.INCOMING, item=lot.item, aql_major="1.0",
                characteristics=[{"name": "外观 Visual", "kind": "attribute",
                                  "defect_class": "major"}],
                by=user,
            )  # fmt: skip
        record = inspections.start_inspection(
            site=site, plan=plans[lot.item_id], lot=lot, lot_size=500, by=user
        )
        failing = rng.randint(2, 4) if rng.random() < REJECTED_SHARE else rng.choice((0, 0, 1))
        (characteristic,) = record.plan.characteristics.all()
        size = inspections.sample_size_of(record, characteristic)
        inspections.record_results(record, [
            {"characteristic": characteristic, "sample": sample, "passed": sample > failing}
            for sample in range(1, size + 1)
        ], by=user)  # fmt: skip
        inspections.complete_inspection(record, by=user, password=PASSWORD)
        done = span["first"] + timedelta(days=rng.randint(0, days), hours=10)
        InspectionRecord.objects.filter(pk=record.pk).update(completed_at=done)


def build(args) -> tuple:
    rng = random.Random(args.seed)

    def prepare(organization, site, user):
        add_incoming_inspections(organization, site, user, rng)
        add_findings(organization, site, user, rng)
        add_complaints(organization, site, user, rng)

    _plant, organization, site, _user = build_plant(
        args.units, args.hospitals, args.seed, prepare=prepare
    )
    clerk = create_user(organization=organization, username="bench-wh", password=PASSWORD)
    org.grant_role(user=clerk, site=site, role=Role.WAREHOUSE_CLERK)
    return organization


def main() -> int:
    # BENCH_EXISTING=1 with MEDTRACE_DATA_DIR of an earlier run: measure its plant again (after
    # migrating it), instead of an hour of building a new one.
    if os.environ.get("BENCH_EXISTING"):
        call_command("migrate", verbosity=0)
        organization = Organization.objects.get(name__startswith="基准测试公司")
    else:
        organization = build(plant_arguments())
    counted = exposure.count(organization)  # the hourly jobs
    assessed = risk_store.assess_all(organization, timezone.localdate())
    reverse("analytics:risk-list")  # what a running worker has loaded already (the URL map)

    qa, warehouse = Client(), Client()
    assert qa.login(username="bench-qa", password=PASSWORD)
    assert warehouse.login(username="bench-wh", password=PASSWORD)
    last = Consignment.objects.filter(organization=organization, role=PartyRole.DESTINATION)
    month = timezone.localtime(last.aggregate(Max("event_time"))["event_time__max"])
    window = {"month": f"{month:%Y-%m}", "current": 3, "baseline": 12}
    busiest = (
        Complaint.objects.values("item").annotate(n=Count("pk")).order_by("-n", "item").first()
    )
    riskiest = qa.get("/api/v1/analytics/risk/lots").json()[0]["lot_id"]
    tiles = sorted(set(re.findall(r'hx-get="(/tiles/[\w-]+/)"', qa.get("/").content.decode())))
    print(
        f"data in {os.environ['MEDTRACE_DATA_DIR']}\n"
        f"{connection.vendor}: {Unit.objects.filter(organization=organization).count():,} units, "
        f"{Lot.objects.filter(organization=organization).count():,} lots, "
        f"{InspectionRecord.objects.count()} incoming inspections from {SUPPLIERS} suppliers, "
        f"{Complaint.objects.count()} complaints; {ROUNDS} rounds each, goal: median ≤ "
        f"{GOAL_MS} ms\n  the hourly jobs: units shipped {counted.elapsed_ms:,} ms "
        f"({counted.rows:,} rows), lot risk signals {assessed.elapsed_ms:,} ms "
        f"({assessed.rows:,} rows)"
    )
    results = [
        measure("home, QA manager", lambda: qa.get("/")),
        *[measure(f"  its deferred tile {tile}", lambda tile=tile: qa.get(tile)) for tile in tiles],
        measure("home, warehouse", lambda: warehouse.get("/")),
        measure("supplier quality", lambda: qa.get("/analytics/suppliers/")),
        measure("one supplier by quarter", lambda: qa.get("/analytics/suppliers/BS-00/")),
        measure("SPC list", lambda: qa.get("/analytics/spc/")),
        measure("lot risk signals", lambda: qa.get("/analytics/risk/")),
        measure("the riskiest lot", lambda: qa.get(f"/analytics/risk/lots/{riskiest}/")),
        measure("complaint trends", lambda: qa.get("/analytics/complaint-trends/", window)),
        measure("busiest device's trend", lambda: qa.get(
            f"/analytics/complaint-trends/{busiest['item']}/", window)),
        measure("reports", lambda: qa.get("/analytics/reports/")),
    ]  # fmt: skip
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
