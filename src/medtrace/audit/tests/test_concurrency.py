"""Concurrent writers on real connections still make one linear chain (PostgreSQL run).

SQLite serializes writers by design (BEGIN IMMEDIATE), and its in-memory test database cannot
be shared by threads, so this runs in the PostgreSQL pass of scripts/test.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from medtrace.audit import services
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.audit.verification import verify

WRITERS = 8
ENTRIES_EACH = 25


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL run only"
)
def test_concurrent_writers_make_one_linear_chain(transactional_db):
    start = threading.Barrier(WRITERS)
    errors = []

    def writer(number):
        try:
            start.wait()
            for item in range(ENTRIES_EACH):
                with transaction.atomic():
                    services.record(
                        AuditAction.CONFIGURATION_CHANGE,
                        object_type="test.concurrency",
                        object_id=f"{number}-{item}",
                        object_repr=f"writer {number}",
                    )
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, WRITERS * ENTRIES_EACH + 1))
    links = AuditEntry.objects.values_list("previous_hash", flat=True)
    assert len(set(links)) == len(links), "two entries share a previous hash: the chain forked"
    result = verify()
    assert result.ok and result.entries == WRITERS * ENTRIES_EACH
