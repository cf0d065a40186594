"""PostgreSQL drops the connection in the middle of a write (pg_terminate_backend from
another session, as a server restart or a failover does): the client gets a 503 saying to try
again (the API's error body; the page for a browser or a scan station, which queues the scan
and sends it again), nothing of the write is kept, and the retry lands once."""

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from medtrace.inventory.models import Stock
from medtrace.inventory.services import moves
from medtrace.trace.models import TraceEvent
from tests.faults.conftest import Pause, token_for

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a connection to lose is PostgreSQL's; the SQLite run has the locked-database test",
)

MESSAGE = "Try again in a moment"


@pytest.fixture
def lot(resin, make_lot, put, bins):
    lot = make_lot(resin, "R-1")
    put(lot, bins["A-01"], 100)
    return lot


def on_hand(lot) -> dict:
    return {row.location.code: row.quantity for row in Stock.objects.filter(object=lot)}


def terminate(backend_pid: int) -> None:
    """End a session as the server does when told to (or when it restarts)."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        autocommit=True,
    ) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0]
    assert ended


def test_the_api_answers_503_and_keeps_nothing(shared_db, children, tmp_path, lot, clerk_a, site_a):
    token = token_for(clerk_a, site_a)
    body = {"site": "A1", "object": "R-1", "quantity": "40", "destination": "A-02",
            "key": "scan-0001"}  # fmt: skip
    shared_db.share()
    pause = Pause(tmp_path, "medtrace.inventory.services.floor:execute", resumable=True)
    server = children.serve(pause=pause)

    def transfer():
        return server.call("POST", "/api/v1/inventory/floor/transfer", token=token, body=body)

    with ThreadPoolExecutor(max_workers=1) as client:
        cut = client.submit(transfer)
        report = pause.wait(server)
        before = shared_db.state(report.tables)
        terminate(report.backend_pid)
        pause.resume()
        answer = cut.result()

    assert answer.status == 503, answer.body
    error = answer.json()["error"]
    assert error["code"] == "service_unavailable" and MESSAGE in error["message"]
    assert error["details"] == {"retry_after": 5} and answer.headers["Retry-After"] == "5"
    assert shared_db.state(report.tables).changed_since(before) == []

    again = transfer()  # the same server: its worker opens a new connection
    assert again.status == 200, again.body
    assert transfer().json()["event_id"] == again.json()["event_id"]
    assert on_hand(lot) == {"A-01": 60, "A-02": 40}
    assert TraceEvent.objects.filter(biz_step="storing").count() == 1


def test_a_page_answers_503_with_the_message_and_keeps_nothing(
    transactional_db, client, clerk_a, lot, monkeypatch
):
    # In process: the request's connection is the test's own, hence a transactional test (no
    # transaction of the test's for the cut to take with it).
    record_event = moves.record_event

    def recorded_then_cut(*args, **kwargs):
        event = record_event(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            terminate(cursor.fetchone()[0])
        return event

    client.force_login(clerk_a)
    scan_url = reverse("inventory:floor-scan", args=["transfer"])
    station = {"X-Scan-Station": "1"}
    scans = [{"code": "R-1", "key": "scan-1"},
             {"code": "LOC:A1:A-02", "quantity": "40", "key": "scan-2"}]  # fmt: skip
    assert client.post(scan_url, scans[0], headers=station).status_code == 200
    events = TraceEvent.objects.count()
    monkeypatch.setattr(moves, "record_event", recorded_then_cut)
    page = client.post(scan_url, scans[1], headers=station)
    monkeypatch.undo()

    assert page.status_code == 503
    assert MESSAGE in page.content.decode() and "Traceback" not in page.content.decode()
    assert page["Retry-After"] == "5"
    assert TraceEvent.objects.count() == events and on_hand(lot) == {"A-01": 100}
    # The scan station keeps a scan answered 503 and sends it again, with its key.
    for _attempt in range(2):
        again = client.post(scan_url, scans[1], headers=station)
        assert again.status_code == 200 and 'data-ok="true"' in again.content.decode()
    assert TraceEvent.objects.count() == events + 1
    assert on_hand(lot) == {"A-01": 60, "A-02": 40}
