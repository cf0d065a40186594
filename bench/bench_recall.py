"""Recall scope cost on a synthetic plant (bench/plantgen.py, imported as bench_trace does).
Goal (issue 10): scope and notice generation for a recall touching 100k units and 500
consignees ≤ 2 s on PostgreSQL. Measured over the raw lots that reach the most: the scope alone
(the forward trace broken down by place: stock, lines, consignees, cases and pallets opened at
shipping time), then a recall opened on it (scope frozen as a snapshot, audited) and its notices
prepared (one per consignee with its lines and text, audited).

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

from medtrace.recall.services import notices, recalls  # noqa: E402
from medtrace.recall.services.scope import compute  # noqa: E402
from medtrace.trace.engine import trace_forward  # noqa: E402
from medtrace.trace.models import TraceObject  # noqa: E402

SCOPE_GOAL_MS = 2000
CANDIDATES = 20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--hospitals", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sizes = plantgen.Sizes(units=args.units, lots=0, hospitals=args.hospitals, per_file=2_000,
                           seed=args.seed)  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="medtrace-plant-"))
    plant = plantgen.generate(sizes, out)
    organization, site, user = setup()
    import_files(plant.files, organization, site, user, None)
    shutil.rmtree(out)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(args.seed)
    sample = rng.sample(plant.raw_lots, min(CANDIDATES, len(plant.raw_lots)))
    lots = list(TraceObject.objects.filter(organization=organization, identifier__in=sample))
    widest = sorted(lots, key=lambda lot: len(trace_forward(lot).units), reverse=True)[:3]
    failed = False
    print(f"{connection.vendor}: {len(plant.units):,} units, {args.hospitals} hospitals")
    for root in widest:
        start = time.perf_counter()
        found = compute([root])
        elapsed = (time.perf_counter() - start) * 1000
        summary = found.summary()
        ok = elapsed <= SCOPE_GOAL_MS
        failed |= not ok
        print(
            f"  scope of {root.identifier[-24:]}: {summary['units']:,} units, "
            f"{summary['lots']:,} lots, {summary['consignees']} consignees, "
            f"{len(found.entries):,} entries in {elapsed:,.0f} ms "
            f"(goal ≤ {SCOPE_GOAL_MS} ms at 100k units)  {'ok' if ok else 'SLOW'}"
        )
    for root in widest:
        start = time.perf_counter()
        recall = recalls.open_recall(
            site=site, title="Bench recall", reason="Bench", depth="user", strategy="removal",
            nmpa_class="II", roots=[root], by=user,
        )  # fmt: skip
        opened = time.perf_counter()
        prepared = notices.prepare(recall, by=user)
        elapsed = (time.perf_counter() - start) * 1000
        lines = sum(notice.lines.count() for notice in prepared.created)
        ok = elapsed <= SCOPE_GOAL_MS
        failed |= not ok
        print(
            f"  recall {recall.number} of {root.identifier[-24:]}: scope frozen in "
            f"{(opened - start) * 1000:,.0f} ms, {len(prepared.created)} notices with "
            f"{lines:,} lines in {(time.perf_counter() - opened) * 1000:,.0f} ms; "
            f"total {elapsed:,.0f} ms (goal ≤ {SCOPE_GOAL_MS} ms)  {'ok' if ok else 'SLOW'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
