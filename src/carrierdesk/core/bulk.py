"""Inserting and updating many rows at once, for the paths that write a thousand rows in one
transaction (the time-limit sweeper).

Django's `bulk_create` builds a model instance per row and compiles every value into the
statement (on PostgreSQL as arrays for UNNEST, adapted in Python), and `bulk_update` builds a
CASE expression per field and row; at that volume they cost more than the rest of the work.
Here rows are plain values keyed by attribute name, inserted with COPY on PostgreSQL (one
prepared statement run for each row on SQLite), and updates run as one prepared statement for
every row. Values of fields whose database form is not the
Python value itself (times, JSON, decimals) still go through the field's `get_db_prep_save`,
so they are stored exactly as the ORM stores them.
"""

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

#: Field types whose values go to the database as they are (strings, numbers, booleans, keys).
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)

Converter = Callable[[Any], Any]


def _connection() -> BaseDatabaseWrapper:
    # The wrapper itself, not the `django.db.connection` proxy: a value prepared through the
    # proxy looks the wrapper up again for each attribute, which costs more than the value.
    return connections[DEFAULT_DB_ALIAS]


def _columns(
    model: type[Model], names: Sequence[str] | None, connection: BaseDatabaseWrapper
) -> list[tuple[str, str, Converter, Any]]:
    """(attribute name, column, converter, default) of each concrete non-key field."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or (names is not None and field.name not in names):
            continue
        if field.get_internal_type() in PLAIN_TYPES:
            convert: Converter = _plain
        else:
            convert = _preparer(field, connection)
        columns.append((field.attname, field.column, convert, field.get_default()))
    return columns


def _plain(value: Any) -> Any:
    # Choices are enums: psycopg would send an enum's name, the ORM sends its value.
    return value.value if isinstance(value, Enum) else value


def _preparer(field: Any, connection: BaseDatabaseWrapper) -> Converter:
    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prepare


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    if connection.vendor == "postgresql":
        # Django's cursor binds on the client, quoting every value in Python; a plain psycopg
        # cursor binds on the server and pipelines `executemany`.
        connection.ensure_connection()
        return connection.connection.cursor()
    return connection.cursor()


def insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows of `model` given as {attribute name: value}; an absent field takes its
    default (as `Field.get_default`: "" for text, None otherwise). Runs in the caller's
    transaction; no ids are read back. PostgreSQL takes the rows through COPY; SQLite through
    one prepared INSERT run for each row."""
    if not rows:
        return
    connection = _connection()
    columns = _columns(model, None, connection)
    values = [
        [convert(row.get(attname, default)) for attname, _, convert, default in columns]
        for row in rows
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for _, column, _, _ in columns)
    table = quote(model._meta.db_table)
    with _cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row_values in values:
                    copy.write_row(row_values)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608


def update_many(objects: Sequence[Model], names: Sequence[str]) -> None:
    """Write the named fields of saved instances of one model, by primary key."""
    if not objects:
        return
    model = type(objects[0])
    connection = _connection()
    columns = _columns(model, names, connection)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for _, column, _, _ in columns)
    key = quote(model._meta.pk.column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {key} = %s"  # noqa: S608
    params = [
        [convert(getattr(obj, attname)) for attname, _, convert, _ in columns] + [obj.pk]
        for obj in objects
    ]
    with _cursor(connection) as cursor:
        cursor.executemany(sql, params)
