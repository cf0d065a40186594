"""The audit trail's one write: record(). Every other app's services call it inside their own
transaction, right after the change, so the change and its entry commit or roll back together.

    before = audit.snapshot(location)
    location.name = name
    location.save()
    audit.record(AuditAction.CHANGE, location, by=user, changes=audit.diff(before, location))
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import chain as hashing
from medtrace.audit import context, verification
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditChain, AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.integration import outbox

INSTALLATION_CHAIN = "installation"
CORRECTIONS = {AuditAction.CHANGE}


def plain(value):
    """A JSON-safe, stable form of a field value (what the audit trail stores and hashes)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime):
        return hashing.utc_text(value) if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date | time | Decimal | UUID):
        return str(value) if not isinstance(value, date | time) else value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete field values by field name (foreign keys as ids), without the
    secrets a model lists in `audit_exclude` (a password hash never enters the trail), and with
    encrypted fields as a mask (see sealed)."""
    excluded = set(getattr(instance, "audit_exclude", ()))
    return {
        field.name: sealed(field, getattr(instance, field.attname))
        if getattr(field, "encrypted", False)
        else plain(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if not field.primary_key
        and field.name not in excluded
        and (fields is None or field.name in fields)
    }


ENCRYPTED_MASK = "••••"


def sealed(field, value: str) -> str:
    """What the trail keeps of an encrypted field's text: the mask and a keyed digest, so that a
    change shows as a change without the text (which is encrypted in its table for a reason)
    being copied into the trail in clear."""
    if not value:
        return value
    message = f"{field.model._meta.label_lower}.{field.name}:{value}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"{ENCRYPTED_MASK} {digest[:10]}"


def diff(before: dict, after) -> dict:
    """{field: [old, new]} for the fields that differ; `after` is a snapshot or an instance."""
    if isinstance(after, models.Model):
        after = snapshot(after)
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def created(instance: models.Model) -> dict:
    """The changes of a creation: every non-empty field, from nothing."""
    return {
        name: [None, value] for name, value in snapshot(instance).items() if value not in ("", None)
    }


def _lock_head(organization_id) -> tuple[int, str, int, str]:
    """(chain id, key, last sequence, last hash) of the organization's chain, row-locked until
    the caller's transaction commits: writers of one chain queue here, so each reads the head
    the previous one left and the chain never forks. Raw SQL, as this runs on every audited
    write (bench/bench_audit.py)."""
    key = f"org:{organization_id}" if organization_id else INSTALLATION_CHAIN
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT id, last_sequence, last_hash FROM {AuditChain._meta.db_table} "
        "WHERE key = %s"  # nosec B608 # table name from _meta; the key is a param
    )
    with connection.cursor() as cursor:
        cursor.execute(sql + lock, [key])
        row = cursor.fetchone()
        if row is None:
            AuditChain.objects.get_or_create(key=key, defaults={"organization_id": organization_id})
            cursor.execute(sql + lock, [key])
            row = cursor.fetchone()
    return row[0], key, row[1], row[2]


def hold_chain(organization_id) -> None:
    """Take the organization's chain lock now, before a later write would. Who must lock
    something else that audited writers lock after the chain (the outbox's subscriptions)
    takes this first, so every transaction locks in one order and none deadlocks."""
    _lock_head(organization_id)


def _insert_and_move_head(values: dict) -> AuditEntry:
    """Insert the entry and move its chain's head to it. PostgreSQL does both in one round
    trip (a data-modifying WITH); SQLite, in-process, needs no such saving."""
    entry = AuditEntry(**values)
    columns = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    params = [
        field.get_db_prep_save(getattr(entry, field.attname), connection) for field in columns
    ]
    insert = (
        f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(f.column for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"  # nosec B608 # _meta names; values: params
    )
    move_head = (
        f"UPDATE {AuditChain._meta.db_table} "
        "SET last_sequence = %s, last_hash = %s WHERE id = %s"  # nosec B608 # _meta table name
    )
    head_params = [entry.sequence, entry.entry_hash, entry.chain_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH new_entry AS ({insert} RETURNING id) {move_head} "
                "RETURNING (SELECT id FROM new_entry)",  # nosec B608 # the two statements above
                params + head_params,
            )
            entry.pk = cursor.fetchone()[0]
        else:
            cursor.execute(insert, params)
            entry.pk = cursor.lastrowid
            cursor.execute(move_head, head_params)
    entry._state.adding = False
    return entry


def _site_of(obj):
    from medtrace.org.models import Site

    if isinstance(obj, Site):
        return obj.pk
    return getattr(obj, "site_id", None)


def _organization_of(obj, site_id, by):
    from medtrace.org.models import Organization, Site

    if isinstance(obj, Organization):
        return obj.pk
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None and site_id:
        organization_id = (
            Site.objects.filter(pk=site_id).values_list("organization_id", flat=True).first()
        )
    if organization_id is None and by is not None:
        organization_id = getattr(by, "organization_id", None)
    return organization_id


def record(
    action: AuditAction,
    obj: models.Model | None = None,
    *,
    by=None,
    changes: dict | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    site_id: int | None = None,
    organization_id: int | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry to the organization's chain. A correction (CHANGE) of a model that
    declares `audit_requires_reason = True` is refused without a reason."""
    if (
        action in CORRECTIONS
        and getattr(obj, "audit_requires_reason", False)
        and not reason.strip()
    ):
        raise DomainError(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing %(record)s; it is a quality record.") % {"record": obj},
        )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    site_id = site_id if site_id is not None else _site_of(obj)
    organization_id = organization_id or _organization_of(obj, site_id, by)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    origin = context.current()
    # No savepoint of its own: if writing the entry fails, the caller's change must fail too.
    with transaction.atomic(savepoint=False):
        entry = _append(
            organization_id,
            {
                "site_id": site_id,
                "actor_id": actor.pk if actor else None,
                "actor_name": actor_name or (actor.printed_name if actor else ""),
                "action": str(action),
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr[:200],
                "changes": plain(changes or {}),
                "reason": reason.strip(),
                "request_id": origin.request_id,
                "client_ip": origin.client_ip,
                "api_token": origin.api_token,
            },
        )
        # Announced in the same transaction: a rolled-back change is never published.
        outbox.publish_change(entry)
    return entry


def _append(organization_id, fields: dict) -> AuditEntry:
    chain_id, key, last_sequence, last_hash = _lock_head(organization_id)
    values = {
        "chain_key": key,
        "sequence": last_sequence + 1,
        "at": timezone.now(),
        "organization_id": organization_id,
        **fields,
        "previous_hash": last_hash,
    }
    digest = hashing.entry_hash(values)
    values.pop("chain_key")
    return _insert_and_move_head({**values, "chain_id": chain_id, "entry_hash": digest})


def write_checkpoint(path=None, *, by=None):
    """Sign the current chain heads, store the checkpoint, and record that it was made."""
    from medtrace.audit import checkpoints

    document = checkpoints.create()
    written = checkpoints.save(document, path)
    record(
        AuditAction.CHECKPOINT,
        by=by,
        object_type="audit.checkpoint",
        object_id=document["created_at"],
        object_repr=written.name,
        changes={"chains": document["chains"]},
    )
    return written, document


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of verify_chains(): the verification result, how many signed checkpoints it
    was held against, and why a stored checkpoint could not be used (a failure too)."""

    result: verification.Result
    checkpoints: int
    checkpoint_error: str = ""

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.checkpoint_error

    @property
    def problem(self) -> str:
        if self.result.problem is not None:
            return str(self.result.problem)
        return self.checkpoint_error


def verify_chains(*, by) -> ChainCheck:
    """Recompute every chain against the checkpoints kept in the data dir, and record that the
    check was made, with its outcome. The heads recorded are those of the checker's own
    organization (and of the installation): another organization's chain is not theirs to see.
    """
    from medtrace.audit import checkpoints

    documents, checkpoint_error = [], ""
    for path in checkpoints.stored():
        try:
            documents.append(checkpoints.read(path))
        except checkpoints.CheckpointError as exc:
            checkpoint_error = str(exc)
    check = ChainCheck(
        result=verification.verify(checkpoints=documents, chain_keys=own_chain_keys(by)),
        checkpoints=len(documents),
        checkpoint_error=checkpoint_error,
    )
    problem = check.result.problem
    record(
        AuditAction.VERIFY,
        by=by,
        object_type="audit.auditchain",
        object_repr="audit trail",
        changes={
            "ok": check.ok,
            "entries": check.result.entries,
            "checkpoints": check.checkpoints,
            "heads": {key: list(head) for key, head in own_heads(check, by).items()},
            "problem": check.problem,
            "chain": problem.chain if problem else "",
            "sequence": problem.sequence if problem else None,
        },
    )
    return check


def own_chain_keys(user) -> set[str]:
    """The chains a user may have checked: their organization's and the installation's."""
    own = {INSTALLATION_CHAIN}
    if getattr(user, "organization_id", None) is not None:
        own.add(f"org:{user.organization_id}")
    return own


def own_heads(check: ChainCheck, user) -> dict[str, tuple[int, str]]:
    """The verified heads of the user's organization's chain and of the installation chain."""
    own = own_chain_keys(user)
    return {key: head for key, head in sorted(check.result.heads.items()) if key in own}
