"""`medtrace serve` under concurrent requests: each gunicorn worker has its own database
connection. (The workers fork from the process that checked the migrations; had they kept
its open connection, two workers would talk over one PostgreSQL socket and read each other's
rows: about one request in six failed with a 500 in the run that found it.)"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.faults.conftest import token_for

REQUESTS = 120
CLIENTS = 8
ANSWER_SECONDS = 10


def test_concurrent_requests_on_two_workers_all_succeed(shared_db, children, site_a, admin_a, bins):
    token = token_for(admin_a, site_a)
    shared_db.share()
    server = children.serve(workers=2)

    def read(_number):
        path = "/api/v1/audit/entries?page_size=50"
        try:
            return server.call("GET", path, token=token, timeout=ANSWER_SECONDS).status
        except OSError as error:  # a worker stuck reading another's rows: no answer
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        statuses = Counter(clients.map(read, range(REQUESTS)))
    assert statuses == {200: REQUESTS}, server.output()[-3000:]
