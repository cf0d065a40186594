import json

import pytest
from django.db import connection
from typer.testing import CliRunner

from medtrace.audit import immutability, services
from medtrace.audit.choices import AuditAction
from medtrace.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(autouse=True)
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    return tmp_path


def write(count):
    for number in range(count):
        services.record(AuditAction.CONFIGURATION_CHANGE, object_repr=f"entry {number}")


def test_verify_ok_prints_count_and_head():
    write(4)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok: 4 entries, head " in result.output


def test_verify_names_the_first_bad_entry():
    write(4)
    immutability.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'x' WHERE sequence = 3")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3: content changed" in result.output


def test_checkpoint_then_verify_against_it(data_dir):
    write(3)
    out = data_dir / "exported.json"
    made = runner.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["chains"][0]["sequence"] == 3
    checked = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "1 checkpoint(s) agree" in checked.output


def test_verify_refuses_a_tampered_checkpoint(data_dir):
    write(2)
    out = data_dir / "exported.json"
    runner.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    document = json.loads(out.read_text())
    document["created_at"] = "2020-01-01T00:00:00.000000Z"
    out.write_text(json.dumps(document))
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_verify_from_a_sequence():
    write(5)
    result = runner.invoke(app, ["audit", "verify", "--from", "3"])
    assert result.exit_code == 0 and "ok: 3 entries" in result.output
