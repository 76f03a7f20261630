"""The acknowledgement's INSERT on PostgreSQL through the driver's cursor (issue 18).

The ack is one `INSERT … ON CONFLICT DO NOTHING RETURNING` in autocommit (storage.inbound_queue),
and SQLAlchemy's execution around it (connection, execution context, bind and result processing)
cost as much CPU as the rest of the webhook together: 221 µs of CPU per insert against 112 µs for
the same statement on a pooled connection's psycopg cursor (bench.ack_profile's database, one
row at a time). On a server where every webhook passes through one process, that is throughput.

So the engine that storage.db.make_ack_engine builds for PostgreSQL carries the execution option
DRIVER_INSERT, and inbound_queue.insert_rows hands its rows here. What stays the same: the pool
(checkout, reset, dispose), the values as the table's types bind them (UtcDateTime's check and
conversion, JSON with the engine's serializer), the errors (psycopg's wrapped in SQLAlchemy's
DBAPIError classes, `connection_invalidated` set on a lost connection) and the retry of a
connection the database closed. What is skipped: SQLAlchemy's engine events for this statement.
"""
from __future__ import annotations

import functools
import json
import weakref
from typing import Any, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage.orm import inbound

DRIVER_INSERT = "pakn_driver_insert"  # the execution option: set only on make_ack_engine's engine
_RETURNING = ("id", "channel", "platform_message_id")
_SQL: dict[tuple[tuple[str, ...], int], str] = {}
_BINDERS: weakref.WeakKeyDictionary[sa.Dialect, list[Callable[[Any], Any]]] = weakref.WeakKeyDictionary()


def _sql(columns: tuple[str, ...], count: int) -> str:
    """INSERT of `count` rows, built once per size (one row is by far the most common)."""
    key = (columns, count)
    if key not in _SQL:
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        _SQL[key] = (f"INSERT INTO {inbound.name} ({', '.join(columns)}) VALUES "
                     + ", ".join([row] * count)
                     + " ON CONFLICT (channel, platform_message_id) DO NOTHING RETURNING "
                     + ", ".join(_RETURNING))
    return _SQL[key]


def _binders(dialect: sa.Dialect, columns: Sequence[str]) -> list[Callable[[Any], Any]]:
    """Per column, what the table's type does to a value before the driver sees it."""
    serialize = getattr(dialect, "_json_serializer", None) or json.dumps
    binders: list[Callable[[Any], Any]] = []
    for name in columns:
        kind = inbound.c[name].type
        if isinstance(kind, sa.JSON):
            binders.append(serialize)
        elif isinstance(kind, sa.types.TypeDecorator):
            binders.append(functools.partial(_decorated, kind, dialect))
        else:
            binders.append(_same)
    return binders


def _decorated(kind: sa.types.TypeDecorator[Any], dialect: sa.Dialect, value: Any) -> Any:
    return kind.process_bind_param(value, dialect)


def _same(value: Any) -> Any:
    return value


def insert_rows(engine: Engine, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[Any]:
    """The stored rows' (id, channel, platform_message_id); an autocommit engine is assumed."""
    binders = _BINDERS.get(engine.dialect)
    if binders is None:  # the columns are always inbound_queue's: one list per dialect
        binders = _BINDERS[engine.dialect] = _binders(engine.dialect, columns)
    params: list[Any] = []
    for row in rows:
        params.extend(bind(row[name]) for name, bind in zip(columns, binders))
    statement = _sql(columns, len(rows))
    driver_errors = engine.dialect.loaded_dbapi.Error
    for attempt in (1, 2):
        connection = engine.raw_connection()
        try:
            cursor = connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(statement, params)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except driver_errors as error:
            lost = engine.dialect.is_disconnect(error, connection.dbapi_connection, None)
            if lost:
                connection.invalidate(error)
            if attempt == 1 and lost:
                continue  # safe: a row the first attempt stored is not inserted again
            raise sa.exc.DBAPIError.instance(statement, params, error, driver_errors,
                                             connection_invalidated=lost,
                                             dialect=engine.dialect) from error
        finally:
            connection.close()
    raise AssertionError("unreachable")

