"""Derived rows (event objects, genealogy links, containment intervals, consignments) written
as plain tuples: a captured document makes tens of thousands of them, and building a model
instance for each and letting the ORM take it apart again cost more than the database did.
Values are given in the fields' Python types; those the database needs converted (times,
decimals) are converted the way the ORM would, the rest go as they are."""

from collections.abc import Iterable, Sequence

from django.db import connection, models

BATCH = 1000  # rows per statement at most
# DateTimeField is a DateField.
CONVERTED = (models.DateField, models.TimeField, models.DecimalField, models.JSONField)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """INSERT `rows` (values in the order of `fields`, named by attribute: `event_id`, not
    `event`) into `model`'s table."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    if connection.vendor == "postgresql":
        _copy(model, columns, rows)
        return
    converted = [
        (position, field) for position, field in enumerate(columns) if isinstance(field, CONVERTED)
    ]
    # Many rows per statement, within SQLite's limit on parameters.
    limit = connection.features.max_query_params or BATCH * len(columns)
    per_statement = max(1, min(BATCH, limit // len(columns)))
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # nosec B608 # quoted _meta names; params
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in columns)
    )
    placeholders = "({})".format(", ".join(["%s"] * len(columns)))
    batch: list = []
    with connection.cursor() as cursor:

        def write():
            cursor.execute(head + ", ".join([placeholders] * (len(batch) // len(columns))), batch)

        for row in rows:
            if converted:
                row = list(row)
                for position, field in converted:
                    if row[position] is not None:
                        row[position] = field.get_db_prep_save(row[position], connection)
            batch += row
            if len(batch) == per_statement * len(columns):
                write()
                batch = []
        if batch:
            write()


def _copy(model, columns, rows: Iterable[Sequence]) -> None:
    with connection.cursor() as cursor:
        _copy_into(cursor, connection.ops.quote_name(model._meta.db_table), columns, rows)


def _copy_into(cursor, table: str, columns, rows: Iterable[Sequence]) -> None:
    """PostgreSQL's bulk path: COPY … FROM STDIN, the rows streamed by psycopg (which adapts
    times and decimals itself; JSON is dumped as the ORM would)."""
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(table, ", ".join(quote(f.column) for f in columns))
    json_columns = [
        position for position, field in enumerate(columns) if isinstance(field, models.JSONField)
    ]
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            if json_columns:
                row = list(row)
                for position in json_columns:
                    row[position] = columns[position].get_db_prep_save(row[position], connection)
            copy.write_row(row)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """UPDATE `model`'s rows by primary key: each row is (pk, *values of `fields`, named by
    attribute). PostgreSQL streams them into a temporary table and updates from it in one
    statement; SQLite runs one prepared UPDATE per row."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    if connection.vendor == "postgresql":
        scratch = quote(f"{model._meta.db_table}_changes")
        definitions = ", ".join(
            f"{quote(field.column)} {field.db_type(connection)}" for field in (pk, *columns)
        )
        assignments = ", ".join(
            f"{quote(field.column)} = changes.{quote(field.column)}" for field in columns
        )
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ({definitions}) ON COMMIT DROP")
            _copy_into(cursor, scratch, (pk, *columns), rows)
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # nosec B608 # quoted _meta names
                f"FROM {scratch} AS changes "
                f"WHERE {table}.{quote(pk.column)} = changes.{quote(pk.column)}"
            )
            cursor.execute(f"DROP TABLE {scratch}")
        return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # nosec B608 # quoted _meta names; params
        table, ", ".join(f"{quote(field.column)} = %s" for field in columns), quote(pk.column)
    )
    converted = [
        (position, field) for position, field in enumerate(columns) if isinstance(field, CONVERTED)
    ]
    prepared = []
    for key, *values in rows:
        for position, field in converted:
            if values[position] is not None:
                values[position] = field.get_db_prep_save(values[position], connection)
        prepared.append((*values, key))
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH):
            cursor.executemany(sql, prepared[start : start + BATCH])
