"""Recompute the audit chains and name the first entry that does not hold.

Each chain is read in sequence order, in chunks, and checked for: a gap in the sequence (an
entry removed), a broken link to the previous entry (entries reordered, removed or forged), a
hash that no longer matches the entry's content (an entry edited), a head that disagrees with
the last entry (entries removed at the end), and agreement with signed checkpoints, which
catches an edit followed by recomputing every later hash.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from medtrace.audit import chain as hashing
from medtrace.audit.models import GENESIS_HASH, AuditChain, AuditEntry

CHUNK = 5000
COLUMNS = [
    "sequence",
    "at",
    "organization_id",
    "site_id",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
    "request_id",
    "client_ip",
    "api_token",
    "previous_hash",
    "entry_hash",
]


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


def verify(*, from_sequence: int = 1, checkpoints: list[dict] = ()) -> Result:
    """Check every chain; stop at the first problem. `checkpoints` are verified checkpoint
    documents (see audit.checkpoints.read)."""
    result = Result()
    expected = {}
    for checkpoint in checkpoints:
        for head in checkpoint["chains"]:
            expected.setdefault(head["key"], {})[head["sequence"]] = (head["hash"], checkpoint)
    for chain in AuditChain.objects.order_by("key"):
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


def _verify_chain(chain, from_sequence, pins, result) -> Problem | None:
    entries = AuditEntry.objects.filter(chain=chain, sequence__gte=from_sequence).order_by(
        "sequence"
    )
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
    for row in entries.values_list(*COLUMNS).iterator(chunk_size=CHUNK):
        values = dict(zip(COLUMNS, row, strict=True))
        sequence = values["sequence"]
        if sequence != previous_sequence + 1:
            return Problem(
                chain.key,
                previous_sequence + 1,
                _("entry missing (the sequence jumps from %(before)s to %(after)s)")
                % {"before": previous_sequence, "after": sequence},
            )
        if values["previous_hash"] != previous_hash:
            return Problem(chain.key, sequence, _link_problem(chain, values["previous_hash"]))
        values["chain_key"] = chain.key
        if hashing.entry_hash(values) != values["entry_hash"]:
            return Problem(
                chain.key, sequence, _("content changed (its hash no longer matches it)")
            )
        pinned = pins.get(sequence)
        if pinned and pinned[0] != values["entry_hash"]:
            return Problem(
                chain.key,
                sequence,
                _(
                    "differs from the checkpoint signed at %(when)s: the chain was rewritten "
                    "and its hashes recomputed"
                )
                % {"when": pinned[1]["created_at"]},
            )
        previous_sequence, previous_hash = sequence, values["entry_hash"]
        result.entries += 1
    beyond = [sequence for sequence in pins if sequence > previous_sequence]
    if beyond:
        return Problem(
            chain.key,
            previous_sequence + 1,
            _("entry missing (the signed checkpoint reaches entry %(sequence)s)")
            % {"sequence": max(beyond)},
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


def _link_problem(chain, previous_hash: str) -> str:
    elsewhere = AuditEntry.objects.filter(chain=chain, entry_hash=previous_hash).first()
    if elsewhere is not None:
        return _("order changed (it follows entry %(sequence)s, not the one before it)") % {
            "sequence": elsewhere.sequence
        }
    return _("link broken: the previous entry was removed, replaced or forged")
