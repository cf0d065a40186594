"""The canonical form of an audit entry and its hash; shared by writing and verification.

The serialization is JSON with sorted keys, no whitespace and UTF-8 text, over every field
except the hash itself; times are UTC with microseconds. Changing this function changes every
hash: it is versioned by HASH_VERSION and must never change for a given version.
"""

import hashlib
import json
from datetime import UTC, datetime

HASH_VERSION = 1

HASHED_FIELDS = (
    "chain_key",
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
)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: dict) -> bytes:
    body = {name: values[name] for name in HASHED_FIELDS}
    body["at"] = utc_text(body["at"])
    body["v"] = HASH_VERSION
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()
