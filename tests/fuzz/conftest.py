"""Writes what a fuzz run did (inputs per target, failed tests) to MEDTRACE_FUZZ_REPORT when
bench/fuzz_long.py asks for it; a CI run writes nothing."""

import json
import os
from pathlib import Path

from tests.fuzz.budget import inputs

failed: list[str] = []


def pytest_runtest_logreport(report):
    if report.failed:
        failed.append(report.nodeid)


def pytest_sessionfinish(session):
    path = os.environ.get("MEDTRACE_FUZZ_REPORT")
    if path:
        Path(path).write_text(json.dumps({"inputs": dict(inputs), "failed": failed}))
