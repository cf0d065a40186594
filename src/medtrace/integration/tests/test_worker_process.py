"""The acceptance test of the outbox: a real `medtrace worker` process, killed with SIGKILL
while a receiver holds its POST open, then a second worker. The receiver de-duplicating by
message ID sees every message exactly once; counting raw requests, at least once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import quote, urlsplit, urlunsplit

from django.db import connection

from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.models import Delivery
from medtrace.integration.tests.test_delivery import publish

MESSAGES = 5
HELD = 3  # the request the receiver keeps open until the worker is dead


@contextmanager
def shared_database(tmp_path):
    """Environment for a child process on the test database. SQLite's test database lives in
    this process's memory: the child gets a file copy, copied back when it is done."""
    env = {**os.environ, "MEDTRACE_DATA_DIR": str(tmp_path / "worker-data")}
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as file:
            connection.connection.backup(file)
        env["DATABASE_URL"] = f"sqlite:///{path}"
        yield env
        with sqlite3.connect(path) as file:
            file.backup(connection.connection)
    else:
        settings = connection.settings_dict
        base = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(base._replace(path="/" + quote(settings["NAME"])))
        yield env


def worker(env, *arguments) -> subprocess.Popen:
    command = [sys.executable, "-m", "medtrace", "worker", "--poll", "0.2", *arguments]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_killing_the_worker_mid_delivery_loses_and_doubles_nothing(
    transactional_db, organization, admin_a, webhook, receiver, tmp_path
):
    publish(organization, admin_a, count=MESSAGES)
    receiver.hold_request = HELD
    with shared_database(tmp_path) as env:
        first = worker(env)
        try:
            receiver.wait_for(HELD, timeout=90)
        finally:
            first.send_signal(signal.SIGKILL)
            output = first.communicate(timeout=30)[0].decode()
        assert first.returncode == -signal.SIGKILL, output
        receiver.release.set()
        env["MEDTRACE_WEBHOOK_STALE_SECONDS"] = "1"
        time.sleep(1.5)
        second = worker(env, "--once")
        output = second.communicate(timeout=120)[0].decode()
        assert second.returncode == 0, output

    deliveries = list(Delivery.objects.order_by("sequence").select_related("message"))
    sent = [str(delivery.message.message_id) for delivery in deliveries]
    assert [delivery.status for delivery in deliveries] == [DeliveryStatus.DELIVERED] * MESSAGES
    # Exactly once for a receiver that de-duplicates by message ID...
    assert sorted(receiver.unique_ids()) == sorted(sent)
    # ...and at least once for one that does not: the held message came twice.
    raw = [received.message_id for received in receiver.requests]
    assert len(raw) == MESSAGES + 1 and raw.count(sent[HELD - 1]) == 2
    held = deliveries[HELD - 1]
    first_try, second_try = held.attempts_made.order_by("number")
    assert "stopped before the receiver answered" in first_try.error
    assert second_try.status_code == 200
    assert receiver.verified(webhook.secret)
