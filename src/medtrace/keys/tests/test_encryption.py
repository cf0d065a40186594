"""Personal data encrypted at rest: what the database holds, what the model and the audit trail
see, and the refusals (a value moved to another column, a missing master key)."""

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrace.audit.models import AuditEntry
from medtrace.keys import keyring
from medtrace.keys.models import DataKey
from medtrace.quality.models import Complaint
from medtrace.quality.services import complaints
from medtrace.quality.tests.complaint_fixtures import INITIALS, INJURY

pytestmark = pytest.mark.django_db

NAME = "张医生 Dr Zhang"
CONTACT = "+86 21 6437 0045"
COLUMNS = ("complainant_name", "complainant_contact", "patient_initials", "injury_description")


def stored(complaint, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM quality_complaint WHERE id = %s", [complaint.pk])
        return cursor.fetchone()[0]


def write_raw(complaint, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE quality_complaint SET {column} = %s WHERE id = %s", [value, complaint.pk]
        )


def test_the_database_holds_ciphertext_and_the_model_the_text(receive):
    complaint = receive()
    for column, text in zip(COLUMNS, (NAME, CONTACT, INITIALS, INJURY), strict=True):
        raw = stored(complaint, column)
        assert raw.startswith("enc1:") and text not in raw, column
        assert getattr(Complaint.objects.get(pk=complaint.pk), column) == text
    assert DataKey.objects.count() == 1


def test_empty_text_stays_empty(receive):
    complaint = receive(complainant_contact="")
    assert stored(complaint, "complainant_contact") == ""


def test_a_value_moved_to_another_column_does_not_decrypt(receive):
    complaint = receive()
    write_raw(complaint, "complainant_contact", stored(complaint, "complainant_name"))
    with pytest.raises(keyring.KeyringError, match="complainant_contact"):
        Complaint.objects.get(pk=complaint.pk)


def test_typed_text_that_looks_like_ciphertext_is_encrypted_like_any(receive):
    complaint = receive(complainant_name="enc1:1:AAAA")
    assert stored(complaint, "complainant_name") != "enc1:1:AAAA"
    assert Complaint.objects.get(pk=complaint.pk).complainant_name == "enc1:1:AAAA"


def test_the_database_cannot_search_it(receive):
    receive()
    with pytest.raises(FieldError):
        list(Complaint.objects.filter(complainant_name__icontains="Zhang"))
    assert Complaint.objects.exclude(complainant_name="").count() == 1


def test_the_audit_trail_records_changes_without_the_text(receive, qa_a):
    complaint = receive()
    complaints.update_complaint(
        complaint, by=qa_a, reason="Spelling", complainant_name="张医生 Dr Zhang Wei"
    )
    trail = " ".join(str(entry.changes) for entry in AuditEntry.objects.all())
    for text in ("Zhang", CONTACT, INITIALS, "snare"):
        assert text not in trail, text
    change = AuditEntry.objects.filter(action="change", object_id=str(complaint.pk)).get()
    assert change.changes["complainant_name"] == ["••••", "••••"]


def test_a_missing_master_key_is_named(receive, data_dir):
    complaint = receive()
    keyring.forget()
    (data_dir / keyring.MASTER_KEY_FILE).unlink()
    with pytest.raises(keyring.KeyringError, match="key escrow"):
        Complaint.objects.get(pk=complaint.pk)


def test_a_value_written_before_encryption_is_read_as_it_is(receive):
    complaint = receive()
    write_raw(complaint, "complainant_name", "legacy name")
    assert Complaint.objects.get(pk=complaint.pk).complainant_name == "legacy name"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300))
def test_any_text_comes_back_as_it_went_in(text):
    context = "quality.complaint.injury_description"
    sealed = keyring.encrypt(text, context=context)
    assert keyring.decrypt(sealed, context=context) == text
    assert keyring.encrypt(text, context=context) != sealed  # a fresh nonce each time
