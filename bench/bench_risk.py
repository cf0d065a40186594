"""Lot risk signals on a synthetic plant (bench/plantgen.py, as bench_recall.py builds it) with
open nonconformances on raw lots, open deviations and complaints on finished lots. Goal
(issue 11): every dashboard ≤ 500 ms server time. Measured in-process, median and p95 over
ROUNDS requests after one warm-up: the risk list, the riskiest lot's page, its panel on the
trace page, the QA manager's home page and its tile counting the lots at high risk (loaded
after the page). The list and the tile read the stored assessment, made first as the hourly
job makes it (its time is printed); the lot's page and panel assess live.

    python bench/bench_risk.py --units 20000                      # SQLite, quick
    scripts/with-postgres python bench/bench_risk.py --units 100000 --hospitals 500
"""

import os
import random
import sys
import tempfile
from datetime import date
from decimal import Decimal

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

import timing  # noqa: E402
from bench_recall import build_plant, plant_arguments  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from medtrace.analytics import risk_store  # noqa: E402
from medtrace.quality.choices import (  # noqa: E402
    ComplaintChannel,
    DeviationKind,
    NcrSource,
    Severity,
)
from medtrace.quality.services import complaints, deviation, nonconformance  # noqa: E402
from medtrace.trace.models import Lot  # noqa: E402

GOAL_MS = 500
ROUNDS = 10
FINDINGS = 10  # of each kind


def measure(label: str, call) -> bool:
    return timing.measure(label, call, rounds=ROUNDS, goal_ms=GOAL_MS)


def add_findings(organization, site, user, rng: random.Random) -> None:
    raw = list(Lot.objects.filter(organization=organization, origin="received"))
    made = list(Lot.objects.filter(organization=organization).exclude(origin="received"))
    for lot in rng.sample(raw, min(FINDINGS, len(raw))):
        nonconformance.open_nonconformance(
            site=site, title="Bench NCR", description="Bench", source=NcrSource.INCOMING,
            severity=Severity.MAJOR, by=user, lot=lot, quantity=Decimal("1"), uom="kg",
        )  # fmt: skip
    deviation.open_deviation(
        site=site, kind=DeviationKind.UNPLANNED, title="Bench deviation", description="Bench",
        by=user, lots=rng.sample(made, min(FINDINGS, len(made))),
    )  # fmt: skip
    for lot in rng.sample(made, min(FINDINGS, len(made))):
        complaints.receive_complaint(
            site=site, by=user, channel=ComplaintChannel.EMAIL, description="Bench complaint",
            aware_on=date.today(), code=lot.lot_number, item=lot.item,
        )  # fmt: skip


def main() -> int:
    args = plant_arguments()
    rng = random.Random(args.seed)
    plant, organization, _site, _user = build_plant(
        args.units, args.hospitals, args.seed,
        prepare=lambda organization, site, user: add_findings(organization, site, user, rng),
    )  # fmt: skip

    reverse("analytics:risk-list")  # what a running worker has loaded already (the URL map)
    assessed = risk_store.assess_all(organization, date.today())  # what the hourly job does
    client = Client()
    assert client.login(username="bench-qa", password="Bench-password-2026")
    rows = client.get("/api/v1/analytics/risk/lots").json()
    top = rows[0]["lot_id"]
    lots = Lot.objects.filter(organization=organization).count()
    print(
        f"{connection.vendor}: {len(plant.units):,} units, {lots:,} lots, {len(rows):,} lots "
        f"with signals; {ROUNDS} rounds each, goal: median ≤ {GOAL_MS} ms\n  assessing every "
        f"lot (the hourly job): {assessed.elapsed_ms} ms, {assessed.rows:,} signal rows"
    )
    results = [
        measure("risk list (first page)", lambda: client.get("/analytics/risk/")),
        measure("riskiest lot's page", lambda: client.get(f"/analytics/risk/lots/{top}/")),
        measure("its panel on the trace page", lambda: client.get(
            f"/analytics/risk/lots/{top}/panel/")),
        measure("home, QA manager", lambda: client.get("/")),
        measure("its tile: lots at high risk (deferred)", lambda: client.get(
            "/tiles/lots_high_risk/")),
    ]  # fmt: skip
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
