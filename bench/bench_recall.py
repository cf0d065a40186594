"""Recall scope cost on a synthetic plant (bench/plantgen.py, imported as bench_trace does).
Goal (issue 10): scope and notice generation for a recall touching 100k units and 500
consignees ≤ 2 s on PostgreSQL. Three recalls: the raw lot (of a sample) that reaches the most,
every lot of the device with the most units (the item-range start), and every raw lot (the
whole plant: 100k units, all consignees); each measured as a recall opened on it (the forward
trace of all roots in one statement, broken down by place and frozen as a snapshot by the
database, audited) with its notices prepared (one per consignee with its lines and text).

    python bench/bench_recall.py --units 20000                     # SQLite, quick
    scripts/with-postgres python bench/bench_recall.py --units 100000 --hospitals 500
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

import plantgen  # noqa: E402
from bench_trace import import_files, setup  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.urls import reverse  # noqa: E402

from medtrace.recall.models import NoticeLine  # noqa: E402
from medtrace.recall.services import notices, recalls  # noqa: E402
from medtrace.trace.engine import trace_forward  # noqa: E402
from medtrace.trace.models import Lot, TraceObject, Unit  # noqa: E402

SCOPE_GOAL_MS = 2000
CANDIDATES = 20


def plant_arguments() -> argparse.Namespace:
    """--units, --hospitals and --seed of the synthetic plant."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--hospitals", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def build_plant(units: int, hospitals: int, seed: int, prepare=None):
    """Migrate, generate the synthetic plant and import it; `prepare(organization, site, user)`
    adds what a benchmark needs before the statistics are gathered."""
    call_command("migrate", verbosity=0)
    sizes = plantgen.Sizes(units=units, lots=0, hospitals=hospitals, per_file=2_000, seed=seed)
    out = Path(tempfile.mkdtemp(prefix="medtrace-plant-"))
    plant = plantgen.generate(sizes, out)
    organization, site, user = setup()
    import_files(plant.files, organization, site, user, None)
    shutil.rmtree(out)
    if prepare is not None:
        prepare(organization, site, user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return plant, organization, site, user


def main() -> int:
    args = plant_arguments()
    plant, organization, site, user = build_plant(args.units, args.hospitals, args.seed)
    rng = random.Random(args.seed)
    sample = rng.sample(plant.raw_lots, min(CANDIDATES, len(plant.raw_lots)))
    lots = list(TraceObject.objects.filter(organization=organization, identifier__in=sample))
    widest = sorted(lots, key=lambda lot: len(trace_forward(lot).units), reverse=True)[:1]
    failed = False
    print(f"{connection.vendor}: {len(plant.units):,} units, {args.hospitals} hospitals")
    # A device over its life: every lot of the serialized item with the most units (the item
    # range start), and a recall of every raw lot (the whole plant: the goal's size).
    busiest = Unit.objects.values("item").annotate(n=Count("pk")).order_by("-n").first()
    device_lots = list(Lot.objects.filter(item_id=busiest["item"]).order_by("pk"))
    all_raw = list(TraceObject.objects.filter(organization=organization,
                                              identifier__in=plant.raw_lots))  # fmt: skip
    scenarios = [
        (f"the widest raw lot {widest[0].identifier[-20:]}", [widest[0]]),
        (f"all {len(device_lots)} lots of one device", device_lots),
        (f"all {len(all_raw)} raw lots (the whole plant)", all_raw),
    ]
    # What a running server has loaded already (the URL map the notices' links are made with).
    reverse("recall:recall-list")
    for label, roots in scenarios:
        start = time.perf_counter()
        recall = recalls.open_recall(
            site=site, title="Bench recall", reason="Bench", depth="user", strategy="removal",
            nmpa_class="II", roots=roots, by=user,
        )  # fmt: skip
        opened = time.perf_counter()
        prepared = notices.prepare(recall, by=user)
        elapsed = (time.perf_counter() - start) * 1000
        lines = NoticeLine.objects.filter(notice__recall=recall).count()
        summary = recall.current_scope().summary
        ok = elapsed <= SCOPE_GOAL_MS
        failed |= not ok
        print(
            f"  recall of {label}: {summary['units']:,} units, {summary['lots']:,} lots, "
            f"{summary['consignees']} consignees; "
            f"scope frozen in {(opened - start) * 1000:,.0f} ms, "
            f"{len(prepared.created)} notices with {lines:,} lines in "
            f"{(time.perf_counter() - opened) * 1000:,.0f} ms; total {elapsed:,.0f} ms "
            f"(goal ≤ {SCOPE_GOAL_MS} ms)  {'ok' if ok else 'SLOW'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
