"""Recompute the audit chains and name the first entry that does not hold.

Each chain is read in sequence order, in chunks, and checked for: a gap in the sequence (an
entry removed), a broken link to the previous entry (entries reordered, removed or forged), a
hash that no longer matches the entry's content (an entry edited), a head that disagrees with
the last entry (entries removed at the end), and agreement with signed checkpoints, which
catches an edit followed by recomputing every later hash.
"""

import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from medtrace.audit import chain as hashing
from medtrace.audit.models import GENESIS_HASH, AuditChain, AuditEntry

CHUNK = 10_000
# The hashed columns in canonical order (chain.HASHED_FIELDS without chain_key), then the hash.
COLUMNS = [name for name in hashing.HASHED_FIELDS if name != "chain_key"] + ["entry_hash"]


@dataclass
class Problem:
    chain: str
    sequence: int
    reason: str

    def __str__(self):
        return _("chain %(chain)s, entry %(sequence)s: %(reason)s") % {
            "chain": self.chain,
            "sequence": self.sequence,
            "reason": self.reason,
        }


@dataclass
class Result:
    entries: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    *, from_sequence: int = 1, checkpoints: list[dict] = (), chain_keys: set[str] | None = None
) -> Result:
    """Check every chain (or those named in `chain_keys`); stop at the first problem.
    `checkpoints` are verified checkpoint documents (see audit.checkpoints.read)."""
    result = Result()
    expected = {}
    for checkpoint in checkpoints:
        for head in checkpoint["chains"]:
            if chain_keys is None or head["key"] in chain_keys:
                expected.setdefault(head["key"], {})[head["sequence"]] = (head["hash"], checkpoint)
    chains = AuditChain.objects.order_by("key")
    if chain_keys is not None:
        chains = chains.filter(key__in=chain_keys)
    for chain in chains:
        if from_sequence > chain.last_sequence + 1:
            continue
        problem = _verify_chain(chain, from_sequence, expected.get(chain.key, {}), result)
        if problem:
            result.problem = problem
            return result
    known = set(AuditChain.objects.values_list("key", flat=True))
    for key, pins in expected.items():
        if key not in known:
            sequence = min(pins)
            result.problem = Problem(key, sequence, _("the whole chain is missing"))
            return result
    return result


# The entry time as canonical text, made by the database: parsing timestamps in Python would
# cost more than hashing them.
CANONICAL_TIME = {
    "postgresql": """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    "sqlite": "CAST(at AS TEXT)",
}


def _rows(chain, from_sequence):
    """The chain's entries as raw rows, in sequence order, fetched in keyset-paged chunks:
    Django's per-row converters would cost more than the hashing."""
    columns = [CANONICAL_TIME[connection.vendor] if name == "at" else name for name in COLUMNS]
    sql = (
        f"SELECT {', '.join(columns)} "  # nosec B608 # constant columns, _meta table; params
        f"FROM {AuditEntry._meta.db_table} "
        "WHERE chain_id = %s AND sequence >= %s ORDER BY sequence LIMIT %s"
    )
    after = from_sequence
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [chain.pk, after, CHUNK])
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < CHUNK:
            return
        after = rows[-1][0] + 1


def _normalized(row) -> list:
    """The hashed fields of a raw row, in canonical form."""
    fields = list(row[:-1])
    at = fields[1]
    if not at.endswith("Z"):  # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        at = at.replace(" ", "T") + ("Z" if len(at) > 19 else ".000000Z")
    fields[1] = at
    if isinstance(fields[10], str):  # JSON as text (SQLite); PostgreSQL already decoded it
        fields[10] = json.loads(fields[10])
    return fields


def _verify_chain(chain, from_sequence, pins, result) -> Problem | None:
    previous_sequence = from_sequence - 1
    previous_hash = GENESIS_HASH
    if from_sequence > 1:
        previous_hash = (
            AuditEntry.objects.filter(chain=chain, sequence=previous_sequence)
            .values_list("entry_hash", flat=True)
            .first()
        )
        if previous_hash is None:
            return Problem(chain.key, previous_sequence, _("entry missing"))
    for row in _rows(chain, from_sequence):
        sequence, stored_previous, stored_hash = row[0], row[-2], row[-1]
        if sequence != previous_sequence + 1:
            return Problem(
                chain.key,
                previous_sequence + 1,
                _("entry missing (the sequence jumps from %(before)s to %(after)s)")
                % {"before": previous_sequence, "after": sequence},
            )
        if stored_previous != previous_hash:
            return Problem(chain.key, sequence, _link_problem(chain, sequence, stored_previous))
        if hashing.row_hash([hashing.HASH_VERSION, chain.key, *_normalized(row)]) != stored_hash:
            return Problem(
                chain.key, sequence, _("content changed (its hash no longer matches it)")
            )
        pinned = pins.get(sequence)
        if pinned and pinned[0] != stored_hash:
            return Problem(
                chain.key,
                sequence,
                _(
                    "differs from the checkpoint signed at %(when)s: the chain was rewritten "
                    "and its hashes recomputed"
                )
                % {"when": pinned[1]["created_at"]},
            )
        previous_sequence, previous_hash = sequence, stored_hash
        result.entries += 1
    beyond = [sequence for sequence in pins if sequence > previous_sequence]
    if beyond:
        return Problem(
            chain.key,
            previous_sequence + 1,
            _("entry missing (the signed checkpoint reaches entry %(sequence)s)")
            % {"sequence": max(beyond)},
        )
    if previous_sequence > chain.last_sequence:
        return Problem(
            chain.key,
            chain.last_sequence + 1,
            _("not written by medtrace (the chain head ends at entry %(sequence)s)")
            % {"sequence": chain.last_sequence},
        )
    if (chain.last_sequence, chain.last_hash) != (previous_sequence, previous_hash):
        return Problem(
            chain.key,
            previous_sequence + 1,
            _("entry missing (the chain head records entry %(sequence)s)")
            % {"sequence": chain.last_sequence},
        )
    result.heads[chain.key] = (previous_sequence, previous_hash)
    return None


def _link_problem(chain, sequence: int, previous_hash: str) -> str:
    """Why an entry does not link to the one before it, from where its link points."""
    target = AuditEntry.objects.filter(chain=chain, entry_hash=previous_hash).first()
    if target is None:
        return _("link broken: the entry before it was removed, replaced or forged")
    if target.sequence > sequence:
        return _("order changed (it follows entry %(target)s, which now comes after it)") % {
            "target": target.sequence
        }
    return _("an entry was inserted before it (it follows entry %(target)s)") % {
        "target": target.sequence
    }
