"""kill -9 in the middle of a write: `medtrace serve` during an EPCIS capture, a lot release,
a recall approval and a stock transfer, and `medtrace worker` during a job.

Each child stops just before its COMMIT, every write of the operation made (its report counts
them from inside the transaction), and is killed there with SIGKILL, workers and all. Then
the database must be exactly what it was (every table's rows unchanged: nothing half
written), and the same request sent to a new server, or a new worker taking the job back,
must write what the killed one had written, once; a second retry writes nothing more."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit import verification
from medtrace.audit.models import AuditEntry, Signature
from medtrace.epcis import codec
from medtrace.inventory.models import Stock, StockMove
from medtrace.jobs import services as jobs
from medtrace.jobs.choices import JobStatus
from medtrace.jobs.models import Job, JobLogLine
from medtrace.jobs.registry import registry
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.services import lot_release
from medtrace.production.tests.fixtures import run_through
from medtrace.recall.choices import RecallStatus
from medtrace.trace.models import TraceEvent
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events
from tests.faults.conftest import REQUEST_SECONDS, Pause, State, token_for

# Every operation here records a trace event and its audit entry.
ALWAYS_WRITTEN = ("trace_traceevent", "audit_auditentry")


@dataclass
class Killed:
    in_flight: dict[str, int]  # rows the killed transaction had added, by table
    before: State  # what was committed while it stood before its COMMIT
    after: State  # what is there once it is dead

    @property
    def tables(self) -> list[str]:
        return list(self.after.counts)


def kill_before_commit(children, shared_db, tmp_path, service: str, send) -> Killed:
    """Send a request that stops before the commit inside `service`; kill the server there."""
    pause = Pause(tmp_path, service)
    server = children.serve(pause=pause)
    with ThreadPoolExecutor(max_workers=1) as client:
        unanswered = client.submit(send, server)
        report = pause.wait(server)
        before = shared_db.state(report.tables)
        server.kill()
        with pytest.raises(OSError):  # the connection dies with the server: no answer
            unanswered.result(timeout=REQUEST_SECONDS)
    return Killed(report.in_flight(before), before, shared_db.state(report.tables))


def assert_nothing_half_written(killed: Killed) -> None:
    """The killed transaction held the operation's writes, and none of them survived."""
    for table in ALWAYS_WRITTEN:
        assert killed.in_flight.get(table, 0) > 0, killed.in_flight
    assert killed.after.changed_since(killed.before) == []


def assert_consistent() -> None:
    """The stock ledger adds up to the balances, and the audit chain verifies."""
    moved = StockMove.objects.values("location_id", "object_id").annotate(total=Sum("quantity"))
    ledger = {(row["location_id"], row["object_id"]): row["total"] for row in moved}
    balances = {(row.location_id, row.object_id): row.quantity for row in Stock.objects.all()}
    assert balances == {key: total for key, total in ledger.items() if total}
    assert verification.verify().ok


def signatures_on(record, meaning: str) -> int:
    return Signature.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk), meaning=meaning
    ).count()


@pytest.fixture
def completed(released, operator_a, molder, supervisor_a):
    """A work order made and completed, its lot waiting for QA's release."""
    run_through(released, operator_a, molder)
    return lot_release.complete(released, by=supervisor_a)


def test_a_lot_release_killed_before_commit_leaves_nothing_and_the_retry_releases_once(
    shared_db, children, tmp_path, completed, qa_a, site_a
):
    token = token_for(qa_a, site_a)
    path = f"/api/v1/production/work-orders/{completed.pk}/release-lot"
    body = {"password": PASSWORD, "reason": "DHR reviewed", "location": "A-01"}
    shared_db.share()

    def release(server):
        return server.call("POST", path, token=token, body=body)

    killed = kill_before_commit(
        children, shared_db, tmp_path, "medtrace.production.services.lot_release:release_lot",
        release,
    )  # fmt: skip
    assert_nothing_half_written(killed)
    assert killed.in_flight["audit_signature"] == 1, killed.in_flight

    server = children.serve()
    answer = release(server)
    assert answer.status == 200, answer.body
    assert answer.json()["status"] == WorkOrderStatus.CLOSED
    done = shared_db.state(killed.tables)
    assert done.added_since(killed.after) == killed.in_flight
    again = release(server)
    assert again.status == 409 and again.json()["error"]["code"] == "invalid_state"
    assert shared_db.state(killed.tables).counts == done.counts

    completed.refresh_from_db()
    assert completed.lot_released_by == qa_a
    assert TraceEvent.objects.filter(event_id=completed.lot_release_event.event_id).count() == 1
    assert signatures_on(completed, "released") == 1
    assert Stock.objects.get(object=completed.lot).location.code == "A-01"
    assert_consistent()


def test_a_recall_approval_killed_before_commit_leaves_nothing_and_the_retry_approves_once(
    shared_db, children, tmp_path, two_consignees, open_from, qa_a, site_a
):
    recall = open_from([two_consignees["product"]])
    token = token_for(qa_a, site_a)
    path = f"/api/v1/recalls/{recall.pk}/actions/approve"
    shared_db.share()

    def approve(server):
        return server.call("POST", path, token=token, body={"password": PASSWORD})

    killed = kill_before_commit(
        children, shared_db, tmp_path, "medtrace.recall.services.recalls:approve", approve
    )
    assert_nothing_half_written(killed)

    server = children.serve()
    answer = approve(server)
    assert answer.status == 200, answer.body
    assert answer.json()["status"] == RecallStatus.APPROVED
    done = shared_db.state(killed.tables)
    assert done.added_since(killed.after) == killed.in_flight
    assert approve(server).status == 409
    assert shared_db.state(killed.tables).counts == done.counts

    held = TraceEvent.objects.filter(biz_step="holding", disposition="recalled")
    assert held.count() == 1
    assert signatures_on(recall, "approved") == 1
    assert_consistent()


def test_a_stock_transfer_killed_before_commit_leaves_nothing_and_the_retry_moves_once(
    shared_db, children, tmp_path, clerk_a, site_a, resin, make_lot, put, bins
):
    lot = make_lot(resin, "R-1")
    put(lot, bins["A-01"], 100)
    token = token_for(clerk_a, site_a)
    body = {"site": "A1", "object": "R-1", "quantity": "40", "destination": "A-02",
            "key": "scan-0001"}  # fmt: skip
    shared_db.share()

    def transfer(server):
        return server.call("POST", "/api/v1/inventory/floor/transfer", token=token, body=body)

    killed = kill_before_commit(
        children, shared_db, tmp_path, "medtrace.inventory.services.floor:execute", transfer
    )
    assert_nothing_half_written(killed)
    assert killed.in_flight["inventory_stockmove"] == 2

    server = children.serve()
    answer = transfer(server)
    assert answer.status == 200, answer.body
    done = shared_db.state(killed.tables)
    assert done.added_since(killed.after) == killed.in_flight
    # The client did not hear the first answer either: the same key answers the same event.
    again = transfer(server)
    assert again.status == 200 and again.json()["event_id"] == answer.json()["event_id"]
    assert shared_db.state(killed.tables).counts == done.counts

    on_hand = {row.location.code: row.quantity for row in Stock.objects.filter(object=lot)}
    assert on_hand == {"A-01": 60, "A-02": 40}
    assert_consistent()


def test_an_epcis_capture_killed_before_commit_leaves_nothing_and_the_retry_records_once(
    shared_db, children, tmp_path, qa_a, site_a
):
    events, declarations = corpus_events(corpus.build().facts)
    document = codec.to_document(events + declarations)
    token = token_for(qa_a, site_a)
    path = "/api/v1/epcis/capture?site=A1&create_missing=true"
    shared_db.share()

    def capture(server):
        return server.call(
            "POST", path, token=token, body=document, content_type="application/ld+json"
        )

    killed = kill_before_commit(
        children, shared_db, tmp_path, "medtrace.trace.services.capture:capture", capture
    )
    assert_nothing_half_written(killed)
    assert killed.in_flight["trace_traceevent"] == len(events) + len(declarations)

    server = children.serve()
    answer = capture(server)
    assert answer.status == 202, answer.body
    assert answer.json()["new"] == len(events) + len(declarations)
    done = shared_db.state(killed.tables)
    assert done.added_since(killed.after) == killed.in_flight
    again = capture(server)
    assert again.status == 202 and again.json()["new"] == 0
    # Only that the document came again is recorded.
    assert shared_db.state(killed.tables).added_since(done) == {"audit_auditentry": 1}

    assert AuditEntry.objects.filter(object_type="trace.capture").count() == 2
    assert_consistent()


def test_a_worker_killed_during_a_job_leaves_nothing_and_the_next_worker_runs_it_once(
    shared_db, children, tmp_path, resin, make_lot, put, bins
):
    today = timezone.localdate()
    lots = [make_lot(resin, f"E-{n}", expires_on=today - timedelta(days=2)) for n in range(3)]
    for lot in lots:
        put(lot, bins["A-01"], 10, at=timezone.now() - timedelta(days=5))
    # Queued long ago, so the worker takes it before the periodic jobs it queues itself.
    job = jobs.enqueue(
        "inventory.mark_expired", key="fault-test", run_after=timezone.now() - timedelta(days=365)
    )
    shared_db.share()
    pause = Pause(tmp_path, "medtrace.inventory.services.expiry:mark_expired")

    first = children.run("worker", "--poll", "0.2", pause=pause)
    report = pause.wait(first)
    before = shared_db.state(report.tables)
    first.kill()
    killed = Killed(report.in_flight(before), before, shared_db.state(report.tables))
    assert_nothing_half_written(killed)
    assert killed.in_flight["trace_traceevent"] == len(lots)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    # The next worker takes the job back once its timeout has passed without a sign of life.
    silent = registry.get(job.name).timeout + timedelta(minutes=1)
    with shared_db.edited_here():
        Job.objects.filter(pk=job.pk).update(
            claimed_at=job.claimed_at - silent, heartbeat_at=job.heartbeat_at - silent
        )
    second = children.run("worker", "--once")
    assert second.wait() == 0, second.output()
    shared_db.take_back()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    # Each lot marked once over all the job's runs (the worker's periodic one among them).
    runs = Job.objects.filter(name=job.name, status=JobStatus.SUCCEEDED)
    assert sum(run.result["expired"] for run in runs) == 3
    said = JobLogLine.objects.filter(job__in=runs, message__contains=": expired on")
    marked = [line.split(":")[0] for line in said.values_list("message", flat=True)]
    assert sorted(marked) == [f"PVC-100 E-{n}" for n in range(3)]
    assert job.log_lines.filter(message__startswith="No sign of life from worker").count() == 1
    expiries = TraceEvent.objects.filter(disposition="expired")
    assert expiries.count() == len(lots)
    assert_consistent()
