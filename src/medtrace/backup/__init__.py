"""Backups an operator can trust and restore: one archive holding a consistent copy of the
database (SQLite's online backup API, or pg_dump's single snapshot), the uploaded files, the
signed audit checkpoints and the public part of the audit signing key, with a manifest of
every file's size and SHA-256. Restoring checks every byte before writing anything, fills an
empty data dir only, and ends by verifying the audit chains against the checkpoints it brought
back (docs/disaster-recovery.md)."""
