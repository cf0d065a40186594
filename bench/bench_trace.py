"""Trace costs on a synthetic plant (bench/plantgen.py). Goals: EPCIS import through
capture(create_missing=True), the real path, at >= 5,000 events/s; a forward trace from a raw
lot at p50 <= 100 ms at 1M units and <= 3x the floor (a bare recursive CTE over a two-column
edge table holding the same genealogy and membership links); scan -> trace page p95 <= 150 ms.
Backward traces from a unit are measured and printed beside them.

    python bench/bench_trace.py                                  # 20k units, SQLite
    python bench/bench_trace.py --units 100000 --profile         # + cProfile of one file
    scripts/with-postgres python bench/bench_trace.py --units 100000

SQLite in a throwaway data dir (removed at the end, as are the generated documents) unless
DATABASE_URL is set. The floor table is created beside the application's tables and dropped
at the end.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

OWN_DATA_DIR = "MEDTRACE_DATA_DIR" not in os.environ  # made here, so removed at the end
os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402 (after the environment it reads)

django.setup()

import plantgen  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.trace.engine import trace_backward, trace_forward  # noqa: E402
from medtrace.trace.models import GenealogyLink, TraceObject  # noqa: E402
from medtrace.trace.services.capture import capture  # noqa: E402

IMPORT_GOAL = 5_000  # events/s
FORWARD_GOAL_MS = 100  # p50 at 1M units
FLOOR_FACTOR = 3
PAGE_GOAL_MS = 150  # p95
FULL_SIZE = 1_000_000
EDGES = "bench_trace_edge"


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def timed_each(roots, call) -> list[float]:
    call(roots[0])  # warm caches and statements
    times = []
    for root in roots:
        start = time.perf_counter()
        call(root)
        times.append((time.perf_counter() - start) * 1000)
    return times


def setup():
    organization, _created = org.ensure_organization(name="基准测试公司 Bench Devices")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    user = create_user(
        organization=organization, username="bench-qa", password="Bench-password-2026"
    )
    org.grant_role(user=user, site=site, role=Role.QA_MANAGER)
    return organization, site, user


def import_files(files, organization, site, user, profile_index: int | None):
    events, elapsed, profiled = 0, 0.0, None
    for index, path in enumerate(files):
        data = path.read_bytes()
        profiler = cProfile.Profile() if index == profile_index else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        result = capture(
            data, organization=organization, site=site, by=user, create_missing=True,
            source=path.name,
        )  # fmt: skip
        if profiler:
            profiler.disable()
            profiled = (path.name, len(result.events), time.perf_counter() - start, profiler)
        else:
            elapsed += time.perf_counter() - start
            events += len(result.events)
        done = index + 1
        if done % 10 == 0 or done == len(files):
            rate = events / elapsed if elapsed else 0
            print(f"  imported {done}/{len(files)} files, {rate:,.0f} events/s", flush=True)
    return events, elapsed, profiled


def print_profile(profiled) -> None:
    name, count, seconds, profiler = profiled
    print(f"\ncProfile of {name} ({count} events, {seconds:.1f} s under the profiler), "
          f"top 15 by cumulative time:")  # fmt: skip
    print(_stats(profiler))
    print("the same, medtrace's own functions only:")
    print(_stats(profiler, "medtrace/"))


def _stats(profiler, *restrictions) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(*restrictions, 15)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start : start + 16]).replace(str(Path.cwd()) + "/", "")


def build_floor() -> None:
    link = GenealogyLink._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EDGES}")
        cursor.execute(f"CREATE TABLE {EDGES} (src bigint NOT NULL, dst bigint NOT NULL)")
        cursor.execute(f"INSERT INTO {EDGES} (src, dst) SELECT source_id, target_id FROM {link}")
        cursor.execute(f"CREATE INDEX {EDGES}_src ON {EDGES} (src)")
        cursor.execute(f"CREATE INDEX {EDGES}_dst ON {EDGES} (dst)")
        cursor.execute(f"ANALYZE {EDGES}")


def floor_trace(root_id: int, forward: bool) -> int:
    near, far = ("src", "dst") if forward else ("dst", "src")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE reach(id) AS (
                SELECT CAST(%s AS bigint)
                UNION SELECT e.{far} FROM {EDGES} e JOIN reach r ON e.{near} = r.id
            ) SELECT id FROM reach""",
            [root_id],
        )
        return len(cursor.fetchall())


def drop_floor() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EDGES}")


def trace_pages_built() -> bool:
    try:
        resolve("/trace/")
    except Resolver404:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--lots", type=int, default=0, help="default: a tenth of the units")
    parser.add_argument("--hospitals", type=int, default=300)
    parser.add_argument("--per-file", type=int, default=2_000, help="events per document")
    parser.add_argument("--roots", type=int, default=50, help="traces timed per direction")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the import of the middle file"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    sizes = plantgen.Sizes(
        units=args.units,
        lots=args.lots,
        hospitals=args.hospitals,
        per_file=args.per_file,
        seed=args.seed,
    )
    out = Path(tempfile.mkdtemp(prefix="medtrace-plant-"))
    start = time.perf_counter()
    plant = plantgen.generate(sizes, out)
    print(
        f"database: {connection.vendor}; plant: {plant.lots:,} lots, {len(plant.units):,} units, "
        f"{plant.containers:,} containers, {plant.shipments:,} shipments to "
        f"{sizes.hospitals} hospitals; {plant.events:,} events in {len(plant.files)} documents "
        f"(generated in {time.perf_counter() - start:.1f} s)",
        flush=True,
    )
    organization, site, user = setup()

    profile_index = len(plant.files) // 2 if args.profile else None
    events, elapsed, profiled = import_files(plant.files, organization, site, user, profile_index)
    shutil.rmtree(out)
    if not events:  # one document, and it was profiled
        events, elapsed = profiled[1], profiled[2]
    rate = events / elapsed
    results = [rate >= IMPORT_GOAL]
    print(
        f"import (capture, create_missing): {events:,} events in {elapsed:.1f} s = "
        f"{rate:,.0f} events/s (goal >= {IMPORT_GOAL:,})  {verdict(results[-1])}"
    )
    if profiled:
        print_profile(profiled)

    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would have after a load this size; without them the
        # planner guesses the new tables' sizes and the traces run several times slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("(PostgreSQL: ANALYZE run after the import, before the traces)")

    rng = random.Random(args.seed)
    by_identifier = dict(
        TraceObject.objects.filter(
            organization=organization,
            identifier__in=rng.sample(plant.raw_lots, min(args.roots, len(plant.raw_lots)))
            + rng.sample(plant.units, min(args.roots, len(plant.units))),
        ).values_list("identifier", "pk")
    )
    lots = list(TraceObject.objects.filter(pk__in=[
        pk for identifier, pk in by_identifier.items() if "/10/" in identifier
    ]))  # fmt: skip
    units = list(TraceObject.objects.filter(pk__in=[
        pk for identifier, pk in by_identifier.items() if "/21/" in identifier
    ]))  # fmt: skip
    reached = [trace_forward(lot) for lot in lots]
    print(
        f"\nforward from a raw lot reaches (mean / max over {len(lots)} roots): "
        + ", ".join(
            f"{statistics.mean(len(getattr(r, kind)) for r in reached):.0f} / "
            f"{max(len(getattr(r, kind)) for r in reached)} {kind}"
            for kind in ("lots", "units", "containers", "parties")
        )
    )

    build_floor()
    forward = percentiles(timed_each(lots, trace_forward))
    backward = percentiles(timed_each(units, trace_backward))
    floor_forward = percentiles(timed_each(lots, lambda lot: floor_trace(lot.pk, True)))
    floor_backward = percentiles(timed_each(units, lambda unit: floor_trace(unit.pk, False)))
    drop_floor()
    scale = (
        ""
        if len(plant.units) >= FULL_SIZE
        else f" (goal is for 1M units; here {len(plant.units):,})"
    )
    results.append(forward[0] <= FORWARD_GOAL_MS and forward[0] <= FLOOR_FACTOR * floor_forward[0])
    print(
        f"forward trace from a raw lot ({len(lots)} roots): p50 {forward[0]:.1f} ms, "
        f"p95 {forward[1]:.1f} ms; floor p50 {floor_forward[0]:.2f} ms, "
        f"p95 {floor_forward[1]:.2f} ms; p50 = {forward[0] / floor_forward[0]:.1f}x the floor "
        f"(goal p50 <= {FORWARD_GOAL_MS} ms and <= {FLOOR_FACTOR}x the floor{scale})  "
        f"{verdict(results[-1])}"
    )
    print(
        f"backward trace from a unit ({len(units)} roots): p50 {backward[0]:.1f} ms, "
        f"p95 {backward[1]:.1f} ms; floor p50 {floor_backward[0]:.2f} ms, "
        f"p95 {floor_backward[1]:.2f} ms; p50 = {backward[0] / floor_backward[0]:.1f}x the floor"
    )

    if not trace_pages_built():
        print("scan -> trace page: skipped: pages not built")
    else:
        browser = Client()
        browser.force_login(user)

        def scan(unit):
            response = browser.get("/trace/", {"q": unit.identifier}, follow=True)
            assert response.status_code == 200, (unit.identifier, response.status_code)

        def scan_and_panel(unit):
            scan(unit)  # the page then loads its forward trace panel (htmx, on load)
            response = browser.get(f"/trace/objects/{unit.pk}/forward/", HTTP_HX_REQUEST="true")
            assert response.status_code == 200, (unit.identifier, response.status_code)

        page = percentiles(timed_each(units, scan))
        results.append(page[1] <= PAGE_GOAL_MS)
        print(
            f"scan -> trace page ({len(units)} units, GET /trace/?q=<Digital Link> followed): "
            f"p50 {page[0]:.1f} ms, p95 {page[1]:.1f} ms (goal p95 <= {PAGE_GOAL_MS} ms)  "
            f"{verdict(results[-1])}"
        )
        both = percentiles(timed_each(units, scan_and_panel))
        print(
            f"  and with the forward trace panel the page loads: p50 {both[0]:.1f} ms, "
            f"p95 {both[1]:.1f} ms"
        )
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        status = main()
    finally:
        connection.close()
        if OWN_DATA_DIR:
            shutil.rmtree(os.environ["MEDTRACE_DATA_DIR"], ignore_errors=True)
    sys.exit(status)
