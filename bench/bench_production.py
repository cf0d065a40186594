"""Production floor and DHR costs. Goals (2-core machine): one component scan consumed
(`consumption.consume`: BOM, status, line stock and tolerance checks, TransformationEvent,
ledger, genealogy) ≤ 60 ms median; one parameter reading entered ≤ 30 ms median; a machine's
batch of 100 readings ≤ 1.5 s; the DHR of an order with 60 scans of 12 lots and 160
readings assembled ≤ 150 ms and rendered as PDF (fonts loaded) ≤ 2 s.

    python bench/bench_production.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_production.py    # PostgreSQL
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.catalog import services as catalog  # noqa: E402
from medtrace.catalog.services import LineIn, OperationIn, ParameterIn  # noqa: E402
from medtrace.catalog.services.lot_numbers import create_lot_rule  # noqa: E402
from medtrace.changes.choices import ChangeKind  # noqa: E402
from medtrace.changes.services import changes  # noqa: E402
from medtrace.core.pdf import render_pdf  # noqa: E402
from medtrace.inventory.choices import Operation  # noqa: E402
from medtrace.inventory.services import moves  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.org.models import Location  # noqa: E402
from medtrace.production import dhr, services  # noqa: E402
from medtrace.production.services import consumption, operations, readings  # noqa: E402
from medtrace.quality.choices import RiskLevel  # noqa: E402
from medtrace.trace.choices import LotOrigin  # noqa: E402
from medtrace.trace.services import objects  # noqa: E402

COMPONENTS = 12
SCANS = 60
READINGS = 60
BATCH = 100
CONSUME_GOAL_MS = 60
READING_GOAL_MS = 30
BATCH_GOAL_MS = 1500
DHR_GOAL_MS = 150
PDF_GOAL_MS = 2000
PASSWORD = "Bench-pass-2026!"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _user(organization, site, name, *roles):
    user = create_user(organization=organization, username=name, password=PASSWORD)
    for role in roles:
        org.grant_role(user=user, site=site, role=role)
    return user


def _in_force(site, product, author, approvers):
    bom = catalog.create_bom_draft(item=product, by=author)
    catalog.set_bom_lines(
        bom=bom,
        lines=[LineIn(f"CMP-{n:02d}", 1, tolerance_percent=10) for n in range(COMPONENTS)],
        by=author,
    )
    routing = catalog.create_routing_draft(item=product, by=author)
    parameters = [ParameterIn(f"P{n}", "°C", "100", "110", "120") for n in range(20)]
    catalog.set_routing_operations(
        routing=routing,
        operations=[OperationIn(name=f"工序 {n}", parameters=parameters) for n in (1, 2, 3)],
        by=author,
    )
    change = changes.open_change(
        site=site, by=author, title="基准", kind=ChangeKind.FAST_TRACK, reason="基准",
        description="基准", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(change, by=author, boms=[bom], routings=[routing])
    changes.submit(change, by=author, password=PASSWORD)
    for approver in approvers:
        changes.approve(change, by=approver, password=PASSWORD)
    changes.release(change, by=approvers[0], password=PASSWORD)


def build():
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    org.create_default_locations(site=site)
    line = Location.objects.get(site=site, code="PRD")
    author = _user(organization, site, "author", Role.REGULATORY_AFFAIRS)
    qa = _user(organization, site, "qa", Role.QA_MANAGER)
    operator = _user(organization, site, "operator", Role.OPERATOR, Role.PRODUCTION_SUPERVISOR)
    create_lot_rule(organization=organization, pattern="{SITE}{YY}{SEQ:5}")
    product = catalog.create_item(
        organization=organization, code="FG-1", name="输液器", kind="finished_device", by=author
    )
    lots = []
    for n in range(COMPONENTS):
        item = catalog.create_item(
            organization=organization, code=f"CMP-{n:02d}", name=f"组件 {n}",
            kind="component", by=author,
        )  # fmt: skip
        lot = objects.create_lot(
            item=item, lot_number=f"C{n:02d}", site=site, origin=LotOrigin.RECEIVED, by=author
        )
        moves.move(
            site=site, lines=[moves.Line(lot, Decimal(100_000))], operation=Operation.RECEIVE,
            biz_step="receiving", disposition="available", destination=line, by=author,
        )  # fmt: skip
        lots.append(lot)
    _in_force(site, product, author, [qa])
    order = services.create_work_order(site=site, item=product, quantity=10_000, by=operator)
    return services.release(order, by=operator), lots, operator


def main() -> int:
    call_command("migrate", verbosity=0)
    order, lots, operator = build()
    first = operations.start(order.operations.get(position=10), by=operator)

    def scan(n):
        consumption.consume(order, scanned=lots[n % COMPONENTS], quantity=10, by=operator)

    scans = [timed(lambda n=n: scan(n)) for n in range(SCANS)]
    entered = [
        timed(lambda n=n: readings.record(first, parameter=f"P{n % 20}", value="110", by=operator))
        for n in range(READINGS)
    ]
    rows = [
        {"operation": 10, "parameter": f"P{n % 20}", "value": "111", "client_id": f"m-{n}"}
        for n in range(BATCH)
    ]
    batch = timed(lambda: readings.record_batch(order, rows, by=operator))
    assembled = [timed(lambda: dhr.build(order)) for _ in range(10)]
    record = dhr.build(order)
    context = {"dhr": record, "organization": order.organization, "printed_at": None}
    render_to_string("production/dhr_pdf.html", context)  # warm the template cache
    pdf = [
        timed(lambda: render_pdf("production/dhr_pdf.html", context, request=None)) for _ in (1, 2)
    ]
    results = [
        ("consume one scan, median", statistics.median(scans), CONSUME_GOAL_MS),
        ("enter one reading, median", statistics.median(entered), READING_GOAL_MS),
        (f"machine batch of {BATCH} readings", batch, BATCH_GOAL_MS),
        ("assemble the DHR, median", statistics.median(assembled), DHR_GOAL_MS),
        ("render the DHR PDF (second time)", pdf[1], PDF_GOAL_MS),
    ]
    print(f"{connection.vendor}: {SCANS} scans, {READINGS + BATCH} readings, {COMPONENTS} lots")
    failed = False
    for name, value, goal in results:
        verdict = "ok" if value <= goal else "SLOW"
        failed |= value > goal
        print(f"  {name:38} {value:8.1f} ms   goal ≤ {goal} ms   {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
