"""A real HTTP receiver for the delivery tests: it keeps every request it gets, answers with
the statuses it is told to, and can hold a request open (to kill the sender mid-POST)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from medtrace.integration import signing


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)  # answers to give, in order; then 200
    hold_request: int | None = None  # the 1-based request to keep open until released
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def unique_ids(self) -> list[str]:
        """What a receiver de-duplicating by message ID keeps, in arrival order."""
        seen = []
        for received in self.requests:
            if received.message_id not in seen:
                seen.append(received.message_id)
        return seen

    def wait_for(self, count: int, timeout: float = 30) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} of {count} requests arrived")

    def verified(self, secret: str) -> bool:
        return all(signing.verify(secret, r.headers, r.body) for r in self.requests)


def start() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.arrived:
                receiver.requests.append(Received(self.path, headers, body))
                number = len(receiver.requests)
                receiver.arrived.notify_all()
            if number == receiver.hold_request:
                receiver.release.wait(60)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {status}".encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender is gone (killed on purpose)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
