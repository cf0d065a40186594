"""The fault tests' tools: the test database shared with child processes, children that are
always killed when the test ends, `medtrace serve` and `medtrace worker` with a fault point
(tests/faults/child.py), and a small API client.

The children open the suite's own database: on PostgreSQL the test database itself (the data
is committed: transactional tests), on SQLite a file copy of the in-memory test database,
copied back whenever the test reads what the children left."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection

from medtrace.accounts.services import create_api_token
from medtrace.changes.tests.fixtures import *  # noqa: F403
from medtrace.documents.tests.fixtures import *  # noqa: F403
from medtrace.inventory.tests.fixtures import *  # noqa: F403
from medtrace.production.tests.fixtures import *  # noqa: F403
from medtrace.recall.tests.fixtures import *  # noqa: F403
from tests.faults import tables

REPO = Path(__file__).resolve().parents[2]
# Generous: CI runs the suite on every core, and a child imports the whole application.
START_SECONDS = 60
PAUSE_SECONDS = 60
REQUEST_SECONDS = 60


class SharedDatabase:
    """The test database where a child process can open it."""

    def __init__(self, directory: Path):
        self.path = directory / "shared.sqlite3"
        self.env: dict[str, str] | None = None  # for the children, once shared

    def share(self) -> None:
        """Hand what the test committed to the children. On SQLite they see what was shared,
        not later writes here."""
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with closing(sqlite3.connect(self.path)) as file:
                connection.connection.backup(file)
            self.env = {"DATABASE_URL": f"sqlite:///{self.path}"}
        else:
            base = urlsplit(os.environ["DATABASE_URL"])
            name = quote(connection.settings_dict["NAME"])
            self.env = {"DATABASE_URL": urlunsplit(base._replace(path=f"/{name}"))}

    def take_back(self) -> None:
        """Let the ORM here read what the children committed (on SQLite, a copy of the file:
        a transaction a killed child left open is not in it)."""
        if connection.vendor == "sqlite":
            with closing(sqlite3.connect(self.path)) as file:
                file.backup(connection.connection)

    @contextmanager
    def edited_here(self):
        """Change the shared data through the ORM here, then hand it back to the children."""
        self.take_back()
        yield
        self.share()

    def state(self, names) -> "State":
        self.take_back()
        with connection.cursor() as cursor:
            return State(tables.row_counts(cursor, names), tables.fingerprints(cursor, names))


def rows_added(counts: dict[str, int], earlier: dict[str, int]) -> dict[str, int]:
    return {table: n - earlier[table] for table, n in counts.items() if n != earlier[table]}


@dataclass(frozen=True)
class State:
    """What is committed: rows and fingerprints by table."""

    counts: dict[str, int]
    fingerprints: dict[str, str]

    def added_since(self, earlier: "State") -> dict[str, int]:
        return rows_added(self.counts, earlier.counts)

    def changed_since(self, earlier: "State") -> list[str]:
        return [t for t, digest in self.fingerprints.items() if earlier.fingerprints[t] != digest]


@dataclass(frozen=True)
class Report:
    """What a paused child saw from inside its open transaction."""

    pid: int
    backend_pid: int | None  # its PostgreSQL session
    counts: dict[str, int]

    @property
    def tables(self) -> list[str]:
        return list(self.counts)

    def in_flight(self, committed: State) -> dict[str, int]:
        """The rows its transaction added to what is committed."""
        return rows_added(self.counts, committed.counts)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


class Child:
    """A `medtrace` command in its own process group, its output in a file."""

    def __init__(self, args, *, env: dict, log: Path):
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.child", *args],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the child and all it started (a server's workers), as a power cut."""
        with suppress(ProcessLookupError):  # already gone, with everything it started
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait(self, timeout: float = REQUEST_SECONDS) -> int:
        return self.process.wait(timeout=timeout)

    def wait_for(self, path: Path, timeout: float = PAUSE_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not path.exists():
            if self.process.poll() is not None:
                pytest.fail(f"the child ended before {path.name}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {path.name} after {timeout} s:\n{self.output()[-3000:]}")
            time.sleep(0.05)


class Server(Child):
    """`medtrace serve` without its job worker; one web worker unless told (its first request
    imports the whole application: seconds, on a busy CI machine)."""

    def __init__(self, *, env: dict, log: Path, workers: int):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            ["serve", "--port", str(self.port), "--workers", str(workers), "--no-worker"],
            env=env,
            log=log,
        )

    def wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"medtrace serve did not start:\n{self.output()[-3000:]}")
                time.sleep(0.1)

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str,
        body=None,
        content_type: str = "application/json",
        timeout: float = REQUEST_SECONDS,
    ) -> Answer:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Accept-Language": "en",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pause:
    """The fault point of a child: the first commit inside `service` waits there."""

    def __init__(self, directory: Path, service: str, *, resumable: bool = False):
        self.service = service
        self.marker = directory / "paused.json"
        self.resume_file = directory / "resume" if resumable else None

    @property
    def env(self) -> dict[str, str]:
        env = {"FAULT_PAUSE_IN": self.service, "FAULT_MARKER": str(self.marker)}
        if self.resume_file is not None:
            env["FAULT_RESUME"] = str(self.resume_file)
        return env

    def wait(self, child: Child) -> Report:
        """The child's report once it stands before its commit."""
        child.wait_for(self.marker)
        return Report(**json.loads(self.marker.read_text()))

    def resume(self) -> None:
        self.resume_file.touch()


class Children:
    """Starts children; the fixture kills whatever is left of them when the test ends."""

    def __init__(self, directory: Path, database: SharedDatabase):
        self.directory = directory
        self.database = database
        self.started: list[Child] = []
        data_dir = directory / "child-data"
        data_dir.mkdir()
        self.env = {**os.environ, "MEDTRACE_DATA_DIR": str(data_dir)}

    def _log(self, name: str) -> Path:
        return self.directory / f"{len(self.started):02d}-{name}.log"

    def serve(self, *, pause: Pause | None = None, workers: int = 1, **env) -> Server:
        server = Server(env=self._env(pause, env), log=self._log("serve"), workers=workers)
        self.started.append(server)  # before the wait: killed at the end even if it fails
        server.wait_until_listening()
        return server

    def run(self, *args, pause: Pause | None = None, **env) -> Child:
        child = Child(args, env=self._env(pause, env), log=self._log(args[0]))
        self.started.append(child)
        return child

    def _env(self, pause: Pause | None, extra: dict) -> dict:
        assert self.database.env is not None, "share the database before starting children"
        return {**self.env, **self.database.env, **(pause.env if pause else {}), **extra}

    def kill_all(self) -> None:
        for child in self.started:
            child.kill()


@pytest.fixture
def shared_db(transactional_db, tmp_path) -> SharedDatabase:
    return SharedDatabase(tmp_path)


@pytest.fixture
def children(tmp_path, shared_db):
    started = Children(tmp_path, shared_db)
    try:
        yield started
    finally:
        started.kill_all()


def token_for(user, site) -> str:
    """A read-write API token of `user` at `site`."""
    return create_api_token(
        user=user, name="fault test", sites=[site], can_write=True, expires_in_days=1, by=user
    )[1]
