"""Audit trail costs. Goals: the audit entry adds < 1 ms (median) to an audited business write;
`medtrace audit verify` checks > 50,000 entries per second.

    python bench/bench_audit.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_audit.py    # PostgreSQL
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from medtrace.audit import chain as hashing  # noqa: E402
from medtrace.audit import services as audit  # noqa: E402
from medtrace.audit.choices import AuditAction  # noqa: E402
from medtrace.audit.models import AuditChain, AuditEntry  # noqa: E402
from medtrace.audit.verification import verify  # noqa: E402
from medtrace.org import services as org  # noqa: E402

WRITES = 500
VERIFY_ENTRIES = 200_000
OVERHEAD_GOAL_MS = 1.0
VERIFY_GOAL = 50_000


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def business_write(location, number, *, audited, user):
    with transaction.atomic():
        before = audit.snapshot(location)
        location.name = f"货位 {number}"
        location.save(update_fields=["name"])
        if audited:
            audit.record(
                AuditAction.CHANGE, location, by=user, changes=audit.diff(before, location)
            )


def measure_overhead() -> bool:
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    location = org.create_location(site=site, code="WH-A01", name="原料库 A01 货位", kind="stock")
    user = None
    plain, audited = [], []
    for number in range(WRITES):
        plain.append(timed(lambda n=number: business_write(location, n, audited=False, user=user)))
        audited.append(timed(lambda n=number: business_write(location, n, audited=True, user=user)))
    overhead = statistics.median(audited) - statistics.median(plain)
    print(
        f"business write: {statistics.median(plain):.3f} ms plain, "
        f"{statistics.median(audited):.3f} ms audited (median of {WRITES}); "
        f"audit overhead {overhead:.3f} ms  goal < {OVERHEAD_GOAL_MS} ms  "
        f"{'ok' if overhead < OVERHEAD_GOAL_MS else 'SLOW'}"
    )
    return overhead < OVERHEAD_GOAL_MS


def fill_chain(count: int) -> None:
    """A long, valid chain, hashed exactly as record() does but written in bulk."""
    chain, _created = AuditChain.objects.get_or_create(key="bench")
    previous, sequence, at = chain.last_hash, chain.last_sequence, timezone.now()
    batch = []
    for _number in range(count):
        sequence += 1
        values = {
            "chain_key": chain.key,
            "sequence": sequence,
            "at": at,
            "organization_id": None,
            "site_id": None,
            "actor_id": None,
            "actor_name": "王静 Wang Jing",
            "action": "change",
            "object_type": "org.location",
            "object_id": str(sequence % 997),
            "object_repr": "SZ01 / WH/WH-A01",
            "changes": {"name": ["原料库 A01 货位", f"货位 {sequence}"]},
            "reason": "",
            "request_id": "0" * 32,
            "client_ip": "10.0.0.8",
            "api_token": "",
            "previous_hash": previous,
        }
        previous = hashing.entry_hash(values)
        values.pop("chain_key")
        batch.append(AuditEntry(chain=chain, entry_hash=previous, **values))
        if len(batch) == 5000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)
    AuditChain.objects.filter(pk=chain.pk).update(last_sequence=sequence, last_hash=previous)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load; without statistics the planner may sort.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AuditEntry._meta.db_table}")


def measure_verify() -> bool:
    fill_chain(VERIFY_ENTRIES)
    start = time.perf_counter()
    result = verify()
    seconds = time.perf_counter() - start
    assert result.ok, result.problem
    rate = result.entries / seconds
    print(
        f"verify: {result.entries} entries in {seconds:.2f} s = {rate:,.0f} entries/s  "
        f"goal > {VERIFY_GOAL:,}  {'ok' if rate > VERIFY_GOAL else 'SLOW'}"
    )
    return rate > VERIFY_GOAL


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    results = [measure_overhead(), measure_verify()]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
