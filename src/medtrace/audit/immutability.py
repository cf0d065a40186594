"""Database triggers that refuse UPDATE and DELETE on the append-only tables (the audit trail,
signatures, the trace event log).

Installed by a migration on SQLite and PostgreSQL. They stop the application and anyone using
its database account from rewriting history by accident or on purpose; someone who drops the
triggers is still caught by the hash chain and the signed checkpoints.
"""

APPEND_ONLY_TABLES = [
    "audit_auditentry",
    "audit_signature",
    # The trace event log: a correction is a new event, never an edit (DESIGN rule 2).
    "trace_traceevent",
    "trace_eventobject",
]


def _sqlite_statements(table: str, install: bool) -> list[str]:
    names = [f"{table}_no_update", f"{table}_no_delete"]
    if not install:
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [
        f"CREATE TRIGGER IF NOT EXISTS {names[0]} BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {names[1]} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION medtrace_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _postgres_statements(table: str, install: bool) -> list[str]:
    if not install:
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [
        POSTGRES_FUNCTION,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION medtrace_refuse_change()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION medtrace_refuse_change()",
    ]


def statements(vendor: str, *, install: bool, tables=APPEND_ONLY_TABLES) -> list[str]:
    build = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(vendor)
    if build is None:
        raise NotImplementedError(f"no append-only triggers for the {vendor} database")
    return [sql for table in tables for sql in build(table, install)]


def _existing(connection, tables) -> list[str]:
    # A migration runs at its point in history: tables added to the list later (each with its
    # own migration installing their triggers) do not exist yet when an earlier one runs.
    present = set(connection.introspection.table_names())
    return [table for table in tables if table in present]


def install(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cursor:
        present = _existing(connection, tables)
        for sql in statements(connection.vendor, install=True, tables=present):
            cursor.execute(sql)


def remove(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cursor:
        present = _existing(connection, tables)
        for sql in statements(connection.vendor, install=False, tables=present):
            cursor.execute(sql)
