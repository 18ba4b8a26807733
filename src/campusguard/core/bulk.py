"""Multi-row inserts for the hot path (a burst of alarms): ids taken up front, one executemany per table.

The ORM (and even Core with RETURNING) spends most of a burst's commit converting parameters row by
row and matching returned ids to rows. Here the ids come first (the next rowids under SQLite's
write lock, a block of sequence values on PostgreSQL), so every insert is a plain driver executemany
with the columns' own bind processors applied once per value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None
_plans: dict[tuple[str, str, tuple[str, ...]], tuple[str, str, list[Processor]]] = {}
_lock = threading.Lock()
_MISSING = object()


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for `count` new rows of `table`, valid in the caller's transaction.

    SQLite: the writer holds the database lock from BEGIN IMMEDIATE, so max(id)+1… is exactly what
    SQLite itself would assign. PostgreSQL: values drawn from the column's own sequence.
    """
    if count <= 0:
        return []
    pk = table.primary_key.columns.values()[0]
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        top = int(session.scalar(select(func.coalesce(func.max(pk), 0))) or 0)
        return list(range(top + 1, top + count + 1))
    if dialect == "postgresql":
        rows = session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :count)"),
            {"table": table.name, "column": pk.name, "count": count},
        ).all()
        return sorted(int(r) for r in rows)
    raise NotImplementedError(f"allocate_ids: unsupported dialect {dialect}")


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all carry the same keys (every column the table needs: no Python defaults here)."""
    if not rows:
        return
    connection = session.connection()
    columns = tuple(rows[0])
    sql, copy_sql, processors = _plan(connection.dialect, table, columns)
    convert = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    memo: dict[tuple[int, int], Any] = {}  # the same object (a burst's `now`, a shared list) converted once
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[c] for c in columns]
        for i, proc in convert:
            value = values[i]
            if value is None:
                continue
            key = (i, id(value))  # every value stays alive in `rows` during the call: ids are not reused
            done = memo.get(key, _MISSING)
            if done is _MISSING:
                done = memo[key] = proc(value)
            values[i] = done
        params.append(tuple(values))
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(sql, params)  # sqlite3's executemany: a C loop, no round trips
        return
    # PostgreSQL: COPY on the transaction's own connection, one stream instead of a statement per row
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for values_of_row in params:
            copy.write_row(values_of_row)


def _plan(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, str, list[Processor]]:
    key = (dialect.name, table.name, columns)
    plan = _plans.get(key)
    if plan is not None:
        return plan
    # table.c[...] refuses any name that is not a column of the table before it reaches the SQL text
    processors: list[Processor] = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    prep = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(prep.quote(table.c[c].name) for c in columns)
    target = f"{prep.format_table(table)} ({names})"
    sql = f"INSERT INTO {target} VALUES ({', '.join(mark for _ in columns)})"  # noqa: S608
    plan = (sql, f"COPY {target} FROM STDIN", processors)
    with _lock:
        _plans[key] = plan
    return plan
