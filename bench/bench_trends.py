"""Complaint trends on a synthetic plant (bench/plantgen.py, as bench_recall.py builds it) with
complaints on shipped lots spread over its months. Goal (issue 11): every dashboard ≤ 500 ms
server time. Measured in-process, median and p95 over ROUNDS requests after one warm-up: the
trend list, the device with most complaints (all problems, then its commonest problem code) and
the API's list. The window ends with the plant's last month of shipments. The units shipped are
counted first, as the hourly job does (its time is printed).

    python bench/bench_trends.py --units 20000                      # SQLite, quick
    scripts/with-postgres python bench/bench_trends.py --units 100000 --hospitals 500
"""

import os
import random
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
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from medtrace.analytics import exposure  # noqa: E402
from medtrace.quality.choices import ComplaintChannel  # noqa: E402
from medtrace.quality.imdrf import DeviceProblem  # noqa: E402
from medtrace.quality.models import Complaint  # noqa: E402
from medtrace.quality.services import complaints  # noqa: E402
from medtrace.trace.choices import PartyRole  # noqa: E402
from medtrace.trace.models import Consignment, Lot  # noqa: E402

GOAL_MS = 500
ROUNDS = 10
COMPLAINTS = 300
PROBLEMS = [DeviceProblem.MECHANICAL, DeviceProblem.MATERIAL_INTEGRITY, DeviceProblem.CONNECTION,
            DeviceProblem.MANUFACTURING_PACKAGING_SHIPPING, ""]  # fmt: skip


def measure(label: str, call) -> bool:
    return timing.measure(label, call, rounds=ROUNDS, goal_ms=GOAL_MS)


def add_complaints(organization, site, user, rng: random.Random) -> None:
    """COMPLAINTS complaints on finished lots, each some weeks after the plant's first
    shipment and no later than its last."""
    shipped = Consignment.objects.filter(organization=organization, role=PartyRole.DESTINATION)
    span = shipped.aggregate(first=Min("event_time"), last=Max("event_time"))
    first, last = span["first"].date(), span["last"].date()
    lots = list(Lot.objects.filter(organization=organization).exclude(origin="received"))
    for _number in range(COMPLAINTS):
        lot = rng.choice(lots)
        aware_on = first + timedelta(days=rng.randint(14, max(14, (last - first).days)))
        complaints.receive_complaint(
            site=site, by=user, channel=ComplaintChannel.EMAIL, description="Bench complaint",
            aware_on=min(aware_on, last), code=lot.lot_number, item=lot.item,
            problem_code=rng.choice(PROBLEMS),
        )  # fmt: skip


def main() -> int:
    args = plant_arguments()
    rng = random.Random(args.seed)
    plant, organization, _site, _user = build_plant(
        args.units, args.hospitals, args.seed,
        prepare=lambda organization, site, user: add_complaints(organization, site, user, rng),
    )  # fmt: skip
    counted = exposure.count(organization)  # what the hourly job does
    last = Consignment.objects.filter(organization=organization).aggregate(Max("event_time"))
    month = timezone.localtime(last["event_time__max"]).strftime("%Y-%m")
    window = {"month": month, "current": 3, "baseline": 12}

    client = Client()
    assert client.login(username="bench-qa", password="Bench-password-2026")
    busiest = (
        Complaint.objects.values("item").annotate(n=Count("pk")).order_by("-n", "item").first()
    )
    code = (
        Complaint.objects.filter(item=busiest["item"]).exclude(problem_code="")
        .values_list("problem_code", flat=True).annotate(n=Count("pk")).order_by("-n").first()
    )  # fmt: skip
    listed = client.get("/api/v1/analytics/complaint-trends", window).json()
    print(
        f"{connection.vendor}: {len(plant.units):,} units, {Complaint.objects.count()} complaints "
        f"on {len(listed)} devices, window up to {month}; {ROUNDS} rounds each, goal: median ≤ "
        f"{GOAL_MS} ms\n  counting the units shipped (the hourly job): {counted.elapsed_ms} ms, "
        f"{counted.rows:,} rows"
    )
    device = f"/analytics/complaint-trends/{busiest['item']}/"
    results = [
        measure("complaint trends (all devices)", lambda: client.get(
            "/analytics/complaint-trends/", window)),
        measure("busiest device, all problems", lambda: client.get(device, window)),
        measure(f"busiest device, {code}", lambda: client.get(device, {**window, "problem": code})),
        measure("API: complaint trends", lambda: client.get(
            "/api/v1/analytics/complaint-trends", window)),
    ]  # fmt: skip
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
