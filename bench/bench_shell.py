"""Latency of the application shell on the demo plant: the pages and API calls every user
makes many times a day. Goal: median under 50 ms each, in-process (no network, no gunicorn)."""

import os
import sys
import tempfile

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")
os.environ.setdefault("MEDTRACE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

import timing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from medtrace.accounts.services import create_api_token  # noqa: E402
from medtrace.demo import DEMO_PASSWORD, generate  # noqa: E402
from medtrace.org import access  # noqa: E402

GOAL_MS = 50
ROUNDS = 200


def measure(label, call):
    return timing.measure(label, call, rounds=ROUNDS, goal_ms=GOAL_MS, strict=True)


def main() -> int:
    call_command("migrate", verbosity=0)
    plant = generate()
    qa = plant.users["qa"]
    _token, plaintext = create_api_token(
        user=qa,
        name="bench",
        sites=access.visible_sites(qa),
        can_write=False,
        expires_in_days=1,
        by=qa,
    )
    browser = Client()
    browser.login(username="qa", password=DEMO_PASSWORD)
    script = Client(headers={"Authorization": f"Bearer {plaintext}"})
    print(f"{ROUNDS} rounds each, goal: median < {GOAL_MS} ms", flush=True)
    results = [
        measure("GET / (home, all sites)", lambda: browser.get("/")),
        measure("GET /org/sites/SZ01/ (location tree)", lambda: browser.get("/org/sites/SZ01/")),
        measure("GET /search/?q=QUA", lambda: browser.get("/search/", {"q": "QUA"})),
        measure(
            "GET /api/v1/locations (token)",
            lambda: script.get("/api/v1/locations", {"page_size": 100}),
        ),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
