"""One request at a time in the test server, on SQLite.

On SQLite the test database lives in memory, and Django hands the live server's request
threads the test's own connection (an in-memory database cannot be opened twice). A page that
fires two htmx requests at once (a trace panel and its quality panel) would then run two
transactions on one connection: "cannot start a transaction within a transaction". Production
servers open a connection per thread; the test server serializes requests instead.

On PostgreSQL every request thread has its own connection, as in production, so requests run
side by side there: serializing them would let one slow request hold every other page up, and
would hide locking problems between concurrent requests that production would meet."""

import threading

from django.db import connection

_lock = threading.Lock()


class SerializeRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.vendor != "sqlite":
            return self.get_response(request)
        with _lock:
            return self.get_response(request)
