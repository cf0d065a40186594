"""What the database holds, table by table: row counts (which the child takes inside its own
transaction) and fingerprints of every row (which the test compares before and after)."""

import hashlib


def row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        # Names from the database's own catalogue, never from input.
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def fingerprints(cursor, tables) -> dict[str, str]:
    """A digest of each table's rows: two equal fingerprints mean nothing was inserted,
    changed or deleted in between."""
    digests = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        digest = hashlib.sha256()
        for row in cursor.fetchall():
            digest.update(repr(tuple(_plain(value) for value in row)).encode())
        digests[table] = digest.hexdigest()
    return digests


def _plain(value):
    # bytea comes back as a memoryview, whose repr is its address
    return bytes(value) if isinstance(value, memoryview) else value
