"""Receipts beside other writers (PostgreSQL run): clerks receiving the whole open quantity
of a line at once record it once; a receipt waiting for the audit chain does not hold up the
site's other writers."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.purchasing.models import PurchaseOrderLine, Receipt
from medtrace.purchasing.services import receiving

CLERKS = 4


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL run only"
)
def test_concurrent_receipts_never_overrun_the_open_quantity(transactional_db, released, clerk_a):
    start = threading.Barrier(CLERKS)
    received, refused, errors = [], [], []

    def clerk(n):
        try:
            start.wait()
            receiving.receive(released, by=clerk_a, quantity="100", supplier_lot=f"K{n}")
            received.append(n)
        except DomainError as exc:
            refused.append(exc)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(CLERKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(received) == 1 and len(refused) == CLERKS - 1
    # The first receipt completes the order: the others find it received.
    assert {exc.code for exc in refused} == {ErrorCode.INVALID_STATE}
    assert all("is Received" in str(exc.message) for exc in refused)
    assert Receipt.objects.count() == 1
    assert PurchaseOrderLine.objects.get().received_quantity == Decimal(100)


def _wait_for_a_lock_wait(timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_locks, not pg_stat_activity: the latter is a snapshot within a transaction.
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the receipt never waited for the audit chain")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL run only"
)
def test_a_receipt_waiting_for_the_audit_chain_lets_the_sites_writers_commit(
    transactional_db, released, clerk_a, buyer_a
):
    """The load test's deadlock (bench/load.py): a receipt locked its order with the joined
    site row, then queued for the audit chain; a writer holding the chain could not commit
    its entry, whose site reference PostgreSQL checks at commit against that locked row."""
    chain_held = threading.Event()
    outcome = []

    def clerk():
        try:
            chain_held.wait()
            receiving.receive(released, by=clerk_a, quantity="10", supplier_lot="K1")
            outcome.append("received")
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=clerk)
    thread.start()
    with transaction.atomic():
        audit.record(AuditAction.CHANGE, released.order, by=buyer_a, changes={"note": ["", "x"]})
        chain_held.set()
        _wait_for_a_lock_wait()
    thread.join()
    assert outcome == ["received"]
    assert Receipt.objects.get().quantity == Decimal(10)
