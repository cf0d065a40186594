"""Clerks receiving the whole open quantity of a line at once: the order is locked, so only
the first is recorded; the others find the order received (PostgreSQL run)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

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
