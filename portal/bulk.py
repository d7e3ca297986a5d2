"""Writing many rows at once: :func:`upsert_rows` inserts them, or updates the row already
there with the same unique key.

On PostgreSQL the rows are sent with COPY into a temporary table, then written with one
``INSERT … SELECT … ON CONFLICT DO UPDATE``: a sync writes a hundred thousand attendee rows, and
``bulk_create(update_conflicts=True)`` spent most of its time preparing each value and
building each model object (bench/sync_speed.py: about five times slower). Other databases
(SQLite, the embedded default) use ``bulk_create``. Both write the same rows.

:func:`insert_new_rows` writes rows the caller has just read as absent (most of a first sync):
on PostgreSQL COPY straight into the table, not into a temporary table first and then again
into the table (half the attendee write's time, bench/sync_speed.py); if another writer has
inserted one of them meanwhile, they are upserted instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

BATCH = 1000


def upsert_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows`` (dicts of field names or attnames to values the columns take: numbers,
    strings, datetimes, None) into ``model``'s table; a row whose ``unique`` fields match an
    existing row updates that row's ``update`` fields instead. Every row has the same keys,
    and no two rows the same ``unique`` values; a new row gets its other fields' defaults."""
    if not rows:
        return
    if copy_supported():
        _copy_upsert(model, rows, unique=unique, update=update)
        return
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(
            [model(**row) for row in rows[start : start + BATCH]],
            update_conflicts=True,
            unique_fields=list(unique),
            update_fields=list(update),
        )


def insert_new_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    """Write ``rows`` (as :func:`upsert_rows` takes them) that the caller found absent in the
    same transaction: COPY straight into the table on PostgreSQL, in a savepoint; a row another
    writer inserted meanwhile breaks the unique key, and then the rows are upserted after all
    (the same rows as :func:`upsert_rows` would leave). Elsewhere :func:`upsert_rows`."""
    if not rows:
        return
    if not copy_supported():
        upsert_rows(model, rows, unique=unique, update=update)
        return
    try:
        # COPY goes through psycopg's own cursor: its errors are made Django's here.
        with transaction.atomic(), connection.wrap_database_errors:
            _copy_into(model, rows, model._meta.db_table)
    except IntegrityError:
        upsert_rows(model, rows, unique=unique, update=update)


def any_of(model: type[models.Model], field: str, values: Iterable[Any]) -> Q:
    """``field IN values`` (no None among them) as a filter of ``model``'s rows: on PostgreSQL
    ``column = ANY(%s)``, the values bound as one array. An ``IN`` of 500 keys (a sync window's
    instances, looked up several times a window) was compiled and quoted value by value every
    time, and psycopg does not cache a statement that long: 8 ms a look-up against 5 ms
    (bench/sync_speed.py's database, 11,800 instances). Elsewhere ``__in``; keep lists within
    old SQLite's 999 parameters there."""
    values = list(values)
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    quote = connection.ops.quote_name
    column = model._meta.pk.column if field == "pk" else model._meta.get_field(field).column
    return Q(
        RawSQL(  # noqa: S611 (names from the model, the values bound)
            f"{quote(model._meta.db_table)}.{quote(column)} = ANY(%s)",
            [values],
            output_field=BooleanField(),
        )
    )


def commit_without_waiting_for_disk() -> None:
    """In the current transaction, let COMMIT return before PostgreSQL has flushed it to disk
    (``synchronous_commit = off`` for this transaction only). For what can be fetched again: a
    sync window whose rows and cursor move together. A crash of the database server may then
    lose the last moments of such commits, never half of one (the database stays consistent),
    and the next sync fetches them again. Elsewhere: nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# A table smaller than this (8 kB pages) is read whole quickly whatever the plan.
ANALYZE_FROM_PAGES = 128


def analyze_if_grown(*models: type[models.Model]) -> None:
    """Refresh the planner's statistics of the tables of ``models`` that have grown to more
    than twice the size they had when last analyzed (PostgreSQL; elsewhere nothing).

    A first sync fills empty tables window by window, and between two windows it looks rows
    up by key. Until autovacuum comes by (never, where it is off), the planner has no
    statistics and reads each look-up of 500 instances' attendees as a fair share of the
    table: it scans the whole table, a little longer at every window (bench/sync_speed.py).
    Doubling each time, a sync that writes a table from empty analyzes it a dozen times at
    most. Call it after taking any lock a concurrent writer may hold while it waits for this
    one's: ANALYZE keeps its lock on the table until the transaction ends."""
    if connection.vendor != "postgresql" or not models:
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%s::regclass[]) "
            "AND pg_relation_size(c.oid) / current_setting('block_size')::int >= %s "
            "AND pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * c.relpages",
            [tables, ANALYZE_FROM_PAGES],
        )
        grown = [name for (name,) in cursor.fetchall()]
        for name in grown:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


def copy_supported() -> bool:
    return connection.vendor == "postgresql"


def _columns(
    model: type[models.Model], rows: Sequence[dict[str, Any]]
) -> tuple[list[str], list[str], tuple]:
    """The names the rows give, every column written (theirs, then the other fields'), and
    the values a new row gets for the others (their defaults, as bulk_create gives them)."""
    meta, quote = model._meta, connection.ops.quote_name
    names = list(rows[0])
    given = [meta.get_field(name).column for name in names]
    missing = [f for f in meta.concrete_fields if not f.primary_key and f.column not in given]
    defaults = tuple(_default(f) for f in missing)
    columns = [quote(column) for column in (*given, *(f.column for f in missing))]
    return names, columns, defaults


def _copy_into(model: type[models.Model], rows: Sequence[dict[str, Any]], table: str) -> None:
    """COPY ``rows`` into ``table`` (the model's table, or a temporary one shaped like it)."""
    names, columns, defaults = _columns(model, rows)
    quote = connection.ops.quote_name
    target = table if table.startswith("pg_temp.") else quote(table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for values in _values(rows, names):
            copy.write_row(values + defaults)


def _copy_upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    meta, quote = model._meta, connection.ops.quote_name
    _names, columns, _defaults = _columns(model, rows)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique)
    updates = ", ".join(
        f"{column} = EXCLUDED.{column}"
        for column in (quote(meta.get_field(name).column) for name in update)
    )
    table = quote(meta.db_table)
    staging = f"pg_temp.{quote('upsert_' + meta.db_table)}"  # never a real table
    column_list = ", ".join(columns)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 (names from the model)
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        _copy_into(model, rows, staging)
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def _default(field: models.Field) -> Any:
    """The value a new model object would hold (its default, "" for text, else None)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_db_prep_save(field.get_default(), connection)


def _values(rows: Sequence[dict[str, Any]], names: list[str]) -> Iterator[tuple]:
    """Each row's values of ``names``, as a tuple (``itemgetter``: a hundred thousand attendee
    rows a sync, bench/sync_speed.py)."""
    if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
        for row in rows:
            yield (row[names[0]],)
        return
    get = itemgetter(*names)
    for row in rows:
        yield get(row)
