"""The audit chain: what record() writes, and that verification names every kind of tampering."""

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from medtrace.audit import chain as hashing
from medtrace.audit import checkpoints, immutability, services
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditChain, AuditEntry
from medtrace.audit.verification import verify
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import services as org_services
from medtrace.org.models import Location

pytestmark = pytest.mark.django_db


def write(count, **extra):
    return [
        services.record(
            AuditAction.CONFIGURATION_CHANGE,
            object_type="test.setting",
            object_id=str(number),
            object_repr=f"setting {number}",
            changes={"value": [number, number + 1]},
            **extra,
        )
        for number in range(count)
    ]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def unprotect():
    """What an attacker with database access does first."""
    immutability.remove(connection)


def test_entries_chain_by_hash_from_genesis(qa_a):
    first = services.record(AuditAction.CONFIGURATION_CHANGE, object_repr="installation")
    assert (first.sequence, first.previous_hash) == (1, "0" * 64)
    entries = write(3, by=qa_a)
    start = entries[0].sequence
    assert [entry.sequence for entry in entries] == [start, start + 1, start + 2]
    assert entries[1].previous_hash == entries[0].entry_hash
    assert entries[0].actor_name == qa_a.printed_name
    chain = AuditChain.objects.get(key=f"org:{qa_a.organization_id}")
    assert (chain.last_sequence, chain.last_hash) == (start + 2, entries[2].entry_hash)


def test_service_writes_its_entry_in_the_same_transaction(admin_a, site_a):
    location = Location.objects.get(site=site_a, code="STK")
    org_services.update_location(
        location=location, name="合格品库 A", name_en="", kind="stock", by=admin_a
    )
    entry = AuditEntry.objects.filter(object_type="org.location", object_id=str(location.pk))
    change = entry.get(action=AuditAction.CHANGE)
    assert change.changes == {"name": ["合格品库", "合格品库 A"], "name_en": ["Stock", ""]}
    assert change.site_id == site_a.pk and change.actor == admin_a


def test_a_refused_change_leaves_no_entry(admin_a, site_a):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError):
        org_services.create_location(site=site_a, code="STK", name="dup", kind="stock", by=admin_a)
    assert AuditEntry.objects.count() == before


def test_an_entry_rolls_back_with_its_change(admin_a, site_a):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        org_services.create_location(site=site_a, code="NEW", name="n", kind="stock", by=admin_a)
        raise RuntimeError("the caller fails after the service")
    assert AuditEntry.objects.count() == before
    assert verify().ok


def test_secrets_never_enter_the_trail(organization):
    from medtrace.accounts.services import create_user

    user = create_user(organization=organization, username="li", password="A-long-enough-pass-1")
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.changes["password"] == [None, "(set)"]
    assert user.password not in json.dumps(entry.changes)


def test_corrections_of_quality_records_need_a_reason(site_a):
    site_a.audit_requires_reason = True
    with pytest.raises(DomainError) as refused:
        services.record(AuditAction.CHANGE, site_a, changes={"name": ["a", "b"]})
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    entry = services.record(AuditAction.CHANGE, site_a, changes={"a": [1, 2]}, reason="typo")
    assert entry.reason == "typo"


def test_diff_lists_only_changed_fields(site_a):
    before = services.snapshot(site_a)
    site_a.address = "新地址"
    assert services.diff(before, site_a) == {"address": ["", "新地址"]}


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"]
)
def test_database_refuses_update_and_delete(sql):
    write(2)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        raw(sql)
    assert AuditEntry.objects.count() == 2


def test_untouched_chain_verifies():
    write(5)
    result = verify()
    assert result.ok and result.entries == 5


def test_edited_content_is_named():
    write(5)
    unprotect()
    raw("UPDATE audit_auditentry SET reason = 'forged' WHERE sequence = 3")
    result = verify()
    assert (result.problem.sequence, result.entries) == (3, 2)
    assert "content changed" in result.problem.reason


def test_deleted_entry_is_named():
    write(5)
    unprotect()
    raw("DELETE FROM audit_auditentry WHERE sequence = 2")
    problem = verify().problem
    assert problem.sequence == 2 and "entry missing" in problem.reason


def test_deleted_last_entry_is_named():
    write(5)
    unprotect()
    raw("DELETE FROM audit_auditentry WHERE sequence = 5")
    problem = verify().problem
    assert problem.sequence == 5 and "entry missing" in problem.reason


def test_inserted_forged_entry_is_named():
    entries = write(5)
    unprotect()
    chain = entries[0].chain
    for sequence in (5, 4, 3):
        raw(
            "UPDATE audit_auditentry SET sequence = %s WHERE chain_id = %s AND sequence = %s",
            [sequence + 1, chain.pk, sequence],
        )
    forged = {
        "chain_key": chain.key,
        "sequence": 3,
        "at": entries[1].at,
        "organization_id": None,
        "site_id": None,
        "actor_id": None,
        "actor_name": "",
        "action": "configuration_change",
        "object_type": "test.setting",
        "object_id": "x",
        "object_repr": "forged",
        "changes": {},
        "reason": "",
        "request_id": "",
        "client_ip": "",
        "api_token": "",
        "previous_hash": entries[1].entry_hash,
    }
    digest = hashing.entry_hash(forged)
    forged.pop("chain_key")
    # Relink the entry after the forgery to it, as the forger must to keep the links whole.
    raw(
        "UPDATE audit_auditentry SET previous_hash = %s WHERE chain_id = %s AND sequence = 4",
        [digest, chain.pk],
    )
    AuditEntry.objects.create(chain=chain, entry_hash=digest, **forged)
    problem = verify().problem
    assert problem.sequence == 4 and "content changed" in problem.reason


def test_forged_entry_without_relinking_is_named():
    entries = write(5)
    unprotect()
    raw(
        "UPDATE audit_auditentry SET previous_hash = %s WHERE chain_id = %s AND sequence = 4",
        [entries[1].entry_hash[::-1], entries[0].chain_id],
    )
    problem = verify().problem
    assert problem.sequence == 4 and "link broken" in problem.reason


def test_swapped_entries_are_named():
    entries = write(5)
    unprotect()
    chain_id = entries[0].chain_id
    raw(
        "UPDATE audit_auditentry SET sequence = 99 WHERE chain_id = %s AND sequence = 2", [chain_id]
    )
    raw("UPDATE audit_auditentry SET sequence = 2 WHERE chain_id = %s AND sequence = 3", [chain_id])
    raw(
        "UPDATE audit_auditentry SET sequence = 3 WHERE chain_id = %s AND sequence = 99", [chain_id]
    )
    problem = verify().problem
    assert problem.sequence == 2 and "order changed" in problem.reason


def rehash_everything_after_editing(sequence):
    """The careful attacker: edit one entry, then recompute every later hash and the head."""
    unprotect()
    raw("UPDATE audit_auditentry SET reason = 'rewritten' WHERE sequence = %s", [sequence])
    previous = None
    for entry in AuditEntry.objects.order_by("chain", "sequence"):
        values = {
            name: getattr(entry, name) for name in hashing.HASHED_FIELDS if name != "chain_key"
        }
        values["chain_key"] = entry.chain.key
        if previous is not None:
            values["previous_hash"] = previous
        digest = hashing.entry_hash(values)
        raw(
            "UPDATE audit_auditentry SET previous_hash = %s, entry_hash = %s WHERE id = %s",
            [values["previous_hash"], digest, entry.pk],
        )
        previous = digest
    AuditChain.objects.update(last_hash=previous)


def test_consistent_rehash_passes_alone_but_not_against_a_checkpoint(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    write(5)
    document = checkpoints.create()
    path = checkpoints.save(document, tmp_path / "exported.json")
    rehash_everything_after_editing(2)
    assert verify().ok, "without a checkpoint a full rehash cannot be told from the truth"
    problem = verify(checkpoints=[checkpoints.read(path)]).problem
    assert problem.sequence == 5 and "checkpoint" in problem.reason


def test_checkpoint_catches_truncation(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    entries = write(5)
    document = checkpoints.create()
    unprotect()
    raw("DELETE FROM audit_auditentry WHERE sequence >= 4")
    AuditChain.objects.update(last_sequence=3, last_hash=entries[2].entry_hash)
    assert verify().ok
    problem = verify(checkpoints=[document]).problem
    assert problem.sequence == 4 and "entry missing" in problem.reason


def test_forged_or_foreign_checkpoints_are_refused(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    write(2)
    path = checkpoints.save(checkpoints.create(), tmp_path / "c.json")
    document = json.loads(path.read_text())
    document["chains"][0]["sequence"] = 1
    path.write_text(json.dumps(document))
    with pytest.raises(checkpoints.CheckpointError, match="signature"):
        checkpoints.read(path)
    (tmp_path / checkpoints.KEY_FILE).unlink()
    with pytest.raises(checkpoints.CheckpointError, match="another key"):
        checkpoints.read(path)


def test_signing_key_is_private(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    checkpoints.signing_key()
    assert (tmp_path / checkpoints.KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_checkpoints_kept_in_the_data_dir_are_pruned(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    write(1)
    for _number in range(4):
        services.write_checkpoint()
        checkpoints.save(checkpoints.create(), keep=2)
    assert len(checkpoints.stored()) == 2


def test_chains_are_per_organization(organization):
    other, _created = org_services.ensure_organization(name="另一家")
    services.record(AuditAction.CONFIGURATION_CHANGE, other, object_repr="x")
    keys = set(AuditChain.objects.values_list("key", flat=True))
    assert {f"org:{organization.pk}", f"org:{other.pk}"} <= keys
    assert all(AuditEntry.objects.filter(chain__key=key).first().sequence == 1 for key in keys)
    assert verify().ok
