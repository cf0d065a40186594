"""Key rotation while the data stays readable: the master key (file or environment), the data
key (values re-encrypted in batches), an interrupted rotation finished by running it again, and
the command line."""

import base64
import os

import pytest
from typer.testing import CliRunner

from medtrace.audit.models import AuditEntry
from medtrace.cli import app
from medtrace.keys import keyring, services
from medtrace.keys.models import DataKey
from medtrace.quality.models import Complaint

pytestmark = pytest.mark.django_db

NAME = "张医生 Dr Zhang"


def readable(*complaints) -> bool:
    keyring.forget()
    return all(
        Complaint.objects.get(pk=complaint.pk).complainant_name == NAME for complaint in complaints
    )


def key_file_text(data_dir) -> str:
    return (data_dir / keyring.MASTER_KEY_FILE).read_text()


def test_a_new_master_key_rewraps_the_data_keys_and_replaces_the_old(receive, data_dir):
    complaint = receive()
    old_text = key_file_text(data_dir)
    old_fingerprint = DataKey.objects.get().master_fingerprint
    done = services.rotate_master_key()
    assert done["data_keys_rewrapped"] == 1 and done["master_key"] != old_fingerprint
    assert key_file_text(data_dir) != old_text
    assert not keyring.next_key_path().exists()
    assert DataKey.objects.get().master_fingerprint == done["master_key"]
    assert readable(complaint)
    old_key = keyring.decode_key(old_text, "old")
    with pytest.raises(keyring.KeyringError):
        keyring.unwrap_with(DataKey.objects.get().wrapped, done["master_key"], {"x": old_key})
    entry = AuditEntry.objects.filter(object_type="keys.masterkey").latest("pk")
    assert entry.changes["data_keys_rewrapped"] == 1


def test_an_interrupted_rotation_still_reads_and_finishes_when_run_again(
    receive, data_dir, monkeypatch
):
    complaint = receive()

    def crash(source, target):
        raise OSError("power lost")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        services.rotate_master_key()
    assert keyring.next_key_path().exists()
    assert readable(complaint)  # the data keys are wrapped by the .next key, which is at hand
    monkeypatch.undo()
    services.rotate_master_key()
    assert not keyring.next_key_path().exists() and readable(complaint)
    assert services.problems() == []


def test_with_keys_in_the_environment_the_previous_one_is_rewrapped_from(receive, monkeypatch):
    old = base64.b64encode(os.urandom(32)).decode()
    new = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("MEDTRACE_MASTER_KEY", old)
    complaint = receive()
    monkeypatch.setenv("MEDTRACE_MASTER_KEY", new)
    assert services.problems()  # the new key alone does not open the old data key
    monkeypatch.setenv("MEDTRACE_MASTER_KEY_PREVIOUS", old)
    assert services.rotate_master_key()["data_keys_rewrapped"] == 1
    monkeypatch.delenv("MEDTRACE_MASTER_KEY_PREVIOUS")
    assert services.problems() == [] and readable(complaint)


def test_a_new_data_key_moves_every_value_and_retires_the_old(receive):
    first = receive()
    second = receive(complainant_contact="")
    old = DataKey.objects.get()
    done = services.rotate_data_key(batch=1)
    assert done["values_reencrypted"] == 7 and done["data_keys_retired"] == [old.pk]
    assert services.values_by_key() == {done["data_key"]: 7}
    assert readable(first, second)
    old.refresh_from_db()
    assert old.retired_at is not None


def test_values_in_clear_are_encrypted_by_a_data_key_rotation(receive):
    from django.db import connection

    complaint = receive()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quality_complaint SET complainant_name = %s WHERE id = %s",
            [NAME, complaint.pk],
        )
    assert services.values_by_key()[None] == 1
    services.rotate_data_key()
    assert None not in services.values_by_key() and readable(complaint)


def test_the_command_line_shows_rotates_and_names_a_missing_key(receive, data_dir):
    complaint = receive()
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["keys", "status"])
    assert result.exit_code == 0, result.output
    assert "4 values" in result.output
    result = runner.invoke(app, ["keys", "rotate", "--data-key"])
    assert result.exit_code == 0, result.output
    assert "1 data keys re-wrapped" in result.output and "4 values re-encrypted" in result.output
    assert readable(complaint)
    (data_dir / keyring.MASTER_KEY_FILE).unlink()
    keyring.forget()
    result = runner.invoke(app, ["keys", "status"])
    assert result.exit_code == 1 and "key escrow" in result.output
