"""Key management: what is encrypted with which key, rotating the master key (re-wrapping the data
keys, while the server runs), rotating the data key (re-encrypting values in small batches) and
checking that every key opens. Each change is audited."""

import os
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from medtrace import conf
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.keys import keyring
from medtrace.keys.models import DataKey

BATCH = 500


@dataclass(frozen=True)
class EncryptedColumn:
    model: type
    field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"


def encrypted_columns() -> list[EncryptedColumn]:
    return [
        EncryptedColumn(model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "encrypted", False)
    ]


def _stored(column: EncryptedColumn):
    """(pk, stored text) of the column's non-empty values, as the database holds them."""
    table = connection.ops.quote_name(column.model._meta.db_table)
    name = connection.ops.quote_name(column.model._meta.get_field(column.field).column)
    pk = connection.ops.quote_name(column.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {name} FROM {table} WHERE {name} <> '' ORDER BY {pk}"  # nosec B608 # names from model metadata, quoted
        )
        yield from cursor.fetchall()


def values_by_key() -> dict[int | None, int]:
    """How many stored values each data key encrypts (None: values still in clear)."""
    counts: dict[int | None, int] = {}
    for column in encrypted_columns():
        for _pk, value in _stored(column):
            key = keyring.key_id_of(value) if keyring.is_encrypted(value) else None
            counts[key] = counts.get(key, 0) + 1
    return counts


def problems() -> list[str]:
    """What stops personal data from being read: a missing master key, a data key no key at
    hand opens. Empty when all is well (or nothing is encrypted yet)."""
    found = []
    try:
        at_hand = keyring.master_keys()
    except keyring.KeyringError as error:
        return [str(error)]
    for key in DataKey.objects.all():
        try:
            keyring.unwrap_with(key.wrapped, key.master_fingerprint, at_hand)
        except keyring.KeyringError as error:
            found.append(str(error))
    return found


def _record(changes: dict, reason: str) -> None:
    audit.record(
        AuditAction.CONFIGURATION_CHANGE,
        object_type="keys.masterkey",
        object_repr="encryption keys",
        changes=changes,
        reason=reason,
        actor_name="command line (medtrace keys)",
    )


def rotate_master_key() -> dict:
    """Wrap every data key with a new master key. With a key file, a new key is written next to
    it (`.next`), the data keys are re-wrapped in one transaction, then the new file replaces
    the old: a crash at any point leaves a keyring that opens every data key, and running it
    again finishes the job. With MEDTRACE_MASTER_KEY, the operator sets the new key there and
    the old one in MEDTRACE_MASTER_KEY_PREVIOUS; this re-wraps whatever the old one wraps."""
    from_environment = bool(conf.env_str("MEDTRACE_MASTER_KEY"))
    if from_environment:
        target = keyring.current_master_key()
    else:
        keyring.current_master_key(create=True)
        upcoming = keyring.next_key_path()
        if not upcoming.exists():
            keyring.write_key_file(upcoming, os.urandom(keyring.KEY_BYTES))
        target = keyring.decode_key(upcoming.read_text(encoding="utf-8"), str(upcoming))
    at_hand = keyring.master_keys()
    target_fingerprint = keyring.fingerprint(target)
    with transaction.atomic():
        rewrapped = 0
        for key in DataKey.objects.select_for_update().exclude(
            master_fingerprint=target_fingerprint
        ):
            plain = keyring.unwrap_with(key.wrapped, key.master_fingerprint, at_hand)
            key.wrapped = keyring.wrap(plain, target)
            key.master_fingerprint = target_fingerprint
            key.save(update_fields=["wrapped", "master_fingerprint"])
            rewrapped += 1
        _record({"master_key": target_fingerprint, "data_keys_rewrapped": rewrapped}, "rotation")
    if not from_environment:
        os.replace(keyring.next_key_path(), keyring.master_key_path())
    return {"master_key": target_fingerprint, "data_keys_rewrapped": rewrapped}


def rotate_data_key(*, batch: int = BATCH) -> dict:
    """Encrypt with a new data key from now on, move every stored value to it in batches of
    `batch` rows (each its own transaction: the server keeps running and every value stays
    readable throughout), then retire the data keys that no longer encrypt anything."""
    with transaction.atomic():
        newest = keyring.new_data_key()
    moved = 0
    for column in encrypted_columns():
        moved += _reencrypt(column, newest.pk, batch)
    retired = _retire_unused(keep=newest.pk)
    return {"data_key": newest.pk, "values_reencrypted": moved, "data_keys_retired": retired}


def _reencrypt(column: EncryptedColumn, target: int, batch: int) -> int:
    stale = [
        pk
        for pk, value in _stored(column)
        if not keyring.is_encrypted(value) or keyring.key_id_of(value) != target
    ]
    for start in range(0, len(stale), batch):
        with transaction.atomic():
            rows = column.model._base_manager.select_for_update().filter(
                pk__in=stale[start : start + batch]
            )
            for pk, value in rows.values_list("pk", column.field):
                # An update writes the text through the field: encrypted with the newest key.
                column.model._base_manager.filter(pk=pk).update(**{column.field: value})
    return len(stale)


def _retire_unused(*, keep: int) -> list[int]:
    in_use = set(values_by_key())
    retired = []
    with transaction.atomic():
        for key in DataKey.objects.select_for_update().filter(retired_at__isnull=True):
            if key.pk != keep and key.pk not in in_use:
                key.retired_at = timezone.now()
                key.save(update_fields=["retired_at"])
                retired.append(key.pk)
        if retired:
            _record({"data_keys_retired": retired, "data_key": keep}, "rotation")
    return retired
