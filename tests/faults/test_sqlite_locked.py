"""SQLite with two writers: one `medtrace serve` stands inside a write transaction (the lock
taken) while another gets a second write. The second waits for the lock and both land; kept
waiting past the busy timeout it answers 503 with a message to try again, never a 500, and
the retry lands once."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.utils import timezone

from medtrace.inventory.models import Stock
from medtrace.trace.models import TraceEvent
from tests.faults.conftest import Pause, token_for

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="PostgreSQL locks rows, not the database: its run has the connection-loss test",
)

HOLD_SECONDS = 2.0  # how long the first writer keeps the lock


@pytest.fixture
def two_lots(resin, make_lot, put, bins):
    lots = [make_lot(resin, code) for code in ("R-1", "R-2")]
    for lot in lots:
        put(lot, bins["A-01"], 100)
    return lots


def transfer(token, code: str, key: str):
    body = {"site": "A1", "object": code, "quantity": "40", "destination": "A-02", "key": key}

    def send(server):
        return server.call("POST", "/api/v1/inventory/floor/transfer", token=token, body=body)

    return send


def warm(server, token):
    """Have the server import the application (its first request does), so that what keeps a
    later request waiting can only be the lock."""
    assert server.call("GET", "/api/v1/inventory/stock?page_size=1", token=token).status == 200
    return server


def on_hand(lot) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=lot)}


def test_a_second_writer_waits_for_the_first_and_both_land(
    shared_db, children, tmp_path, two_lots, clerk_a, site_a
):
    token = token_for(clerk_a, site_a)
    shared_db.share()
    pause = Pause(tmp_path, "medtrace.inventory.services.floor:execute", resumable=True)
    holder, waiter = children.serve(pause=pause), warm(children.serve(), token)
    with ThreadPoolExecutor(max_workers=2) as clients:
        first = clients.submit(transfer(token, "R-1", "scan-1"), holder)
        pause.wait(holder)  # the first server holds the write lock
        second = clients.submit(transfer(token, "R-2", "scan-2"), waiter)
        time.sleep(HOLD_SECONDS)
        assert not second.done()  # a warm server answers in milliseconds: it waits
        released_at = timezone.now()
        pause.resume()
        assert first.result().status == 200
        answer = second.result()
    assert answer.status == 200, answer.body

    shared_db.take_back()
    waited = TraceEvent.objects.get(event_id=answer.json()["event_id"])
    assert waited.record_time > released_at  # written once the first let go
    assert TraceEvent.objects.filter(biz_step="storing").count() == 2
    for lot in two_lots:
        assert on_hand(lot) == {"A-01": 60, "A-02": 40}


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_a_503_and_its_retry_lands(
    shared_db, children, tmp_path, two_lots, clerk_a, site_a
):
    token = token_for(clerk_a, site_a)
    shared_db.share()
    pause = Pause(tmp_path, "medtrace.inventory.services.floor:execute", resumable=True)
    holder = children.serve(pause=pause)
    # The busy timeout (20 s in production) shortened, so the wait runs out within the test.
    waiter = warm(children.serve(FAULT_SQLITE_TIMEOUT=str(HOLD_SECONDS / 4)), token)
    second = transfer(token, "R-2", "scan-2")
    with ThreadPoolExecutor(max_workers=1) as client:
        first = client.submit(transfer(token, "R-1", "scan-1"), holder)
        pause.wait(holder)
        refused = second(waiter)
        pause.resume()
        assert first.result().status == 200

    assert refused.status == 503, refused.body
    assert refused.json()["error"]["code"] == "service_unavailable"
    assert "Try again in a moment" in refused.json()["error"]["message"]
    assert refused.json()["error"]["details"] == {"retry_after": 5}
    assert refused.headers["Retry-After"] == "5"
    shared_db.take_back()
    assert on_hand(two_lots[1]) == {"A-01": 100}  # nothing of the refused write

    assert second(waiter).status == 200
    assert second(waiter).status == 200  # a second retry: the key moves stock once
    shared_db.take_back()
    assert TraceEvent.objects.filter(biz_step="storing").count() == 2
    for lot in two_lots:
        assert on_hand(lot) == {"A-01": 60, "A-02": 40}
