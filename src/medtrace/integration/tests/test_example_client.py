"""The example machine client in docs/integration.md, run as written against a live server:
first while medtrace is away (it keeps its batch), then again (it sends the backlog too)."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from medtrace.accounts.services import create_api_token
from medtrace.equipment.models import MachineStateChange
from medtrace.production.choices import ReadingSource
from medtrace.production.models import ParameterReading
from medtrace.production.services import operations
from medtrace.production.tests.fixtures import op_of

DOCS = Path(__file__).resolve().parents[4] / "docs" / "integration.md"
PATH = "/api/v1/integration/machine-data"


def example_client(url: str, site: str, machine: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### An example client, standard library only") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace("https://medtrace.example" + PATH, url)
    return code.replace(
        'SITE, MACHINE = "SZ01", "IMM-01"', f"SITE, MACHINE = {site!r}, {machine!r}"
    )


def run(code: str, token: str, folder: Path) -> str:
    env = {**os.environ, "MEDTRACE_TOKEN": token}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_documented_client_keeps_its_batch_while_away_then_sends_it(
    transactional_db, live_server, released, operator_a, molder, site_a, tmp_path
):
    operations.start(
        op_of(released, 10), by=operator_a, equipment=molder, at=timezone.now() - timedelta(hours=1)
    )
    _token, secret = create_api_token(
        user=operator_a,
        name="IM-01",
        sites=[site_a],
        can_write=True,
        expires_in_days=1,
        by=operator_a,
    )
    away = run(
        example_client("http://127.0.0.1:9" + PATH, site_a.code, molder.code), secret, tmp_path
    )
    assert "kept for later" in away and (tmp_path / "backlog.json").exists()
    assert not ParameterReading.objects.exists()

    run(example_client(live_server.url + PATH, site_a.code, molder.code), secret, tmp_path)
    assert not (tmp_path / "backlog.json").exists()
    readings = ParameterReading.objects.filter(source=ReadingSource.MACHINE, equipment=molder)
    assert readings.count() >= 1 and all(reading.within_limits for reading in readings)
    assert MachineStateChange.objects.filter(equipment=molder, state="running").exists()
