"""Load test (issue 13): virtual users doing a realistic mix (scan → trace, receiving,
consumption, transfers, inspections, dashboards; see load_mix.py) against `medtrace serve` over
the demo plant. Goal on PostgreSQL: p95 ≤ 300 ms over every request, 0 errors.

The load is threads in this process, one HTTP connection each (no gevent, no locust: nothing
to install, and a sync gunicorn answers one request per connection anyway). It prints per
action and per request count, errors, p50 / p95 / p99 / max, the request rate, and a JSON line.

    python bench/load.py --start sqlite --data-dir /tmp/load-demo --users 50 --duration 90
    scripts/with-postgres python bench/load.py --start postgres --users 50 --duration 90 --goal
    python bench/load.py --url http://127.0.0.1:8000 --data-dir /tmp/load-demo   # running

--data-dir reuses the demo plant of `medtrace demo --data-dir DIR --no-serve` (SQLite);
PostgreSQL takes DATABASE_URL. An empty database gets the demo first (about 1.5 min).
With --url the server must run with the environment of SERVER_ENVIRONMENT below.
"""

import argparse
import json
import os
import random
import socket
import subprocess  # nosec B404 # starts our own server, argv built here
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import load_mix
import load_plant

GOAL_P95_MS = 300
# The demo's people have no authenticator, and fifty users from one address would trip the
# per-address limits on sign-ins and tokens.
SERVER_ENVIRONMENT = {
    "MEDTRACE_MFA_REQUIRED_ROLES": "none",
    "MEDTRACE_RATE_LIMIT_SIGN_INS": "0",
    "MEDTRACE_RATE_LIMIT_TOKENS": "0",
    "MEDTRACE_RATE_LIMIT_SIGNATURES": "0",
}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--start", choices=("sqlite", "postgres"), help="start medtrace serve")
    target.add_argument("--url", help="a medtrace serve already running on the same database")
    parser.add_argument("--data-dir", help="SQLite: the demo's data dir (default: a new one)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument(
        "--warmup", type=float, default=15, help="seconds of load before (not measured)"
    )
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (--start)")
    parser.add_argument("--codes", type=int, default=300, help="labels to scan, drawn at random")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--goal", action="store_true", help="exit 1 unless p95 ≤ 300 ms, 0 errors")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    if args.start == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("--start postgres needs DATABASE_URL: run under scripts/with-postgres")
    if args.start == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    data_dir = args.data_dir or os.environ.get("MEDTRACE_DATA_DIR")
    data_dir = data_dir or tempfile.mkdtemp(prefix="medtrace-load-")
    os.environ["MEDTRACE_DATA_DIR"] = data_dir
    load_plant.setup_django(data_dir)
    from django.db import connection

    engine = connection.vendor
    began = time.perf_counter()
    if load_plant.ensure_demo():
        print(f"demo plant built in {time.perf_counter() - began:.0f} s")
    plant = load_plant.read_plant(sample=args.codes, seed=args.seed)
    server = None
    url = args.url
    if args.start:
        server, url = start_server(args.workers, Path(data_dir) / "load-server.log")
    try:
        return measure(args, plant, url, engine, server.pid if server else None)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "medtrace", "serve", "--port", str(port)]
    with log.open("ab") as output:
        server = subprocess.Popen(  # nosec B603 # our own interpreter and command, no shell
            [*command, "--workers", str(workers)],
            env={**os.environ, **SERVER_ENVIRONMENT},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"medtrace serve stopped (exit {server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5):  # nosec B310 # ours
                print(f"medtrace serve: {workers} workers at {url} (log {log})")
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"medtrace serve did not answer within 60 s; see {log}")


def measure(args, plant: load_plant.Plant, url: str, engine: str, server: int | None) -> int:
    rng = random.Random(args.seed)  # nosec B311 # a reproducible mix, not secrets
    users = [
        load_mix.VirtualUser(n, url, plant, random.Random(rng.random()))  # nosec B311
        for n in range(args.users)
    ]
    run_all(users, load_mix.VirtualUser.sign_in)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    cpu_before, generator_before = cpu_ticks(), sum(os.times()[:2])
    server_before = tree_cpu_seconds(server)
    print(
        f"{engine}: {args.users} users for {args.warmup:.0f} + {args.duration:.0f} s, think time "
        f"{args.think[0]}–{args.think[1]} s, load average before {' '.join(load_before)}",
        flush=True,
    )
    measured_from = time.monotonic() + args.warmup
    until = measured_from + args.duration
    run_all(users, load_mix.run, until=until, think=tuple(args.think))
    elapsed = time.monotonic() - measured_from
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    cpu = cpu_share(cpu_before, cpu_ticks())
    cpu["generator_cpu_s"] = round(sum(os.times()[:2]) - generator_before, 1)
    cpu["server_cpu_s"] = round(tree_cpu_seconds(server) - server_before, 1)
    samples = [sample for user in users for sample in user.samples]
    warmup_errors = sum(
        not sample.ok
        for sample in samples
        if sample.action in load_mix.MIX and sample.started < measured_from
    )
    timed = [
        sample
        for sample in samples
        if sample.started >= measured_from or sample.action not in load_mix.MIX
    ]
    summary = {
        "bench": "load",
        "engine": engine,
        "users": args.users,
        "workers": args.workers if args.start else None,
        "duration_s": round(elapsed, 1),
        "think_s": list(args.think),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "cpu": cpu,
        **report(timed, [failure for user in users for failure in user.failures], elapsed),
        "warmup_errors": warmup_errors,
    }
    met = summary["p95_ms"] <= GOAL_P95_MS and summary["errors"] == warmup_errors == 0
    summary["goal_met"] = met
    print(
        f"CPU (warm-up included): {cpu['busy']:.0%} busy at normal priority, "
        f"{cpu['niced']:.0%} niced work, {cpu['idle']:.0%} idle; medtrace serve used "
        f"{cpu['server_cpu_s']} CPU-s (its database not counted), this generator "
        f"{cpu['generator_cpu_s']}"
    )
    print(
        f"errors during the warm-up: {warmup_errors}; load average after {' '.join(load_after)}"
        f"; goal p95 ≤ {GOAL_P95_MS} ms and 0 errors: {'met' if met else 'NOT MET'}"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if args.goal and not met else 0


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far (/proc/stat): user, nice, system, idle, iowait, …"""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]


def tree_cpu_seconds(root: int | None) -> float:
    """CPU time of `root` and its descendants so far (gunicorn, its workers, the job worker)."""
    if root is None:
        return 0.0
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # fields after the command name: state, ppid, … utime (12th), stime (13th)
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # not a process, or gone meanwhile
        stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grown = {root}, True
    while grown:
        children = {pid for pid, (parent, _ticks) in stats.items() if parent in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def cpu_share(before: list[int], after: list[int]) -> dict:
    """How the machine's CPU went between two readings: busy at normal priority (this
    server, its database, this generator, and anyone else's), niced (other work yielding to
    it), idle."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent) or 1
    idle = spent[3] + spent[4]
    return {
        "busy": round((total - idle - spent[1]) / total, 3),
        "niced": round(spent[1] / total, 3),
        "idle": round(idle / total, 3),
    }


def run_all(users, target, **kwargs) -> None:
    """`target(user, **kwargs)` for every user at once, each in its thread."""
    threads = [threading.Thread(target=target, args=(user,), kwargs=kwargs) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)

    def rank(share: float) -> float:
        return round(ordered[max(0, int(share * len(ordered) + 0.999999) - 1)], 1)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": round(ordered[-1], 1)}


def report(samples, failures, elapsed: float) -> dict:
    """Print the table (actions, their requests below each) and answer the summary."""
    print(f"{'':<60}{'count':>7}{'errors':>7}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  ms")

    def row(label: str, group: list) -> dict:
        stats = percentiles([sample.ms for sample in group])
        errors = sum(not sample.ok for sample in group)
        print(
            f"{label[:60]:<60}{len(group):>7}{errors:>7}{stats['p50']:>8.0f}{stats['p95']:>8.0f}"
            f"{stats['p99']:>8.0f}{stats['max']:>8.0f}"
        )
        return {"count": len(group), "errors": errors, **stats}

    actions = {}
    for action in [*load_mix.MIX, load_mix.SIGN_IN]:
        group = [sample for sample in samples if sample.action == action]
        if not group:
            continue
        actions[action] = row(action, group)
        for request in sorted({sample.request for sample in group}):
            row(f"  {request}", [sample for sample in group if sample.request == request])
    timed = [sample for sample in samples if sample.action in load_mix.MIX]
    overall = row("all requests of the mix", timed)
    print(f"{len(timed)} requests in {elapsed:.1f} s: {len(timed) / elapsed:.1f} requests/s")
    shown = set()
    for failure in failures:
        key = (failure.request, failure.status)
        if key in shown or len(shown) >= 8:
            continue
        shown.add(key)
        print(
            f"  error {failure.status} {failure.request} ({failure.action}): {failure.body[:300]}"
        )
    return {
        "requests": len(timed),
        "errors": overall["errors"],
        "requests_per_s": round(len(timed) / elapsed, 1),
        "p50_ms": overall["p50"],
        "p95_ms": overall["p95"],
        "p99_ms": overall["p99"],
        "max_ms": overall["max"],
        "actions": actions,
    }


if __name__ == "__main__":
    sys.exit(main())
