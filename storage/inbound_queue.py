"""Inbound events as a queue: the acknowledgement's one insert, then claims like the outbox's.

The webhook's whole write is `add`: one INSERT ... ON CONFLICT DO NOTHING on the platform's id, so
a platform's retry of an event already taken is a no-op, and nothing else (no conversation upsert,
no release of waiting rows) stands between the signature check and the 200.

Workers `claim` due rows in a short transaction: status `processing`, a lease (`locked_by`,
`locked_until`), `FOR UPDATE SKIP LOCKED` on PostgreSQL so that workers take disjoint rows; on
SQLite every transaction is BEGIN IMMEDIATE, which serialises claims, and the UPDATE repeats the
status guard. A row is claimable only when no other row of its sender is being processed and none
comes before it (platform time, then arrival): one message per conversation in flight, in order.
A row whose lease ran out (its worker died) is claimable again.

The work itself is done in one transaction that starts with `finish_many` (a compare-and-swap on the
lease holder that marks the rows `done`, a claimed batch together) and ends with the messages'
effects: they commit together or not at all, and a worker whose lease passed to another finds the
swap refused and rolls back, so a message is never processed twice. On PostgreSQL the swap also
locks the rows, so a claimer that comes while the work is running skips them.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage import ack_insert
from storage.ack_insert import DRIVER_INSERT
from storage.orm import inbound
from storage.results import rows_changed

OPEN = ("pending", "processing")
FINISHED = ("done", "failed")


@dataclass(frozen=True)
class ClaimedEvent:
    id: int
    event: dict[str, Any]
    attempts: int


_ADD: dict[str, Any] = {}  # the insert, built once per dialect (it is most of the ack's CPU)
_ADD_COLUMNS = ("channel", "sender_id", "platform_message_id", "platform_at", "event", "status",
                "attempts", "next_attempt_at", "created_at")


def _add_statement(dialect: str) -> Any:
    if dialect not in _ADD:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _ADD[dialect] = (insert(inbound).values({name: sa.bindparam(name) for name in _ADD_COLUMNS})
                         .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
                         .returning(inbound.c.id, inbound.c.channel, inbound.c.platform_message_id))
    return _ADD[dialect]


def row_values(channel: str, sender_id: str, platform_id: str, platform_at: datetime,
               event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An acknowledged event as an `inbound` row, pending from `now`."""
    return {"channel": channel, "sender_id": sender_id, "platform_message_id": platform_id,
            "platform_at": platform_at, "event": event, "status": "pending", "attempts": 0,
            "next_attempt_at": now, "created_at": now}


def insert_rows(engine: Engine, rows: list[dict[str, Any]]) -> list[int | None]:
    """Insert acknowledged events in ONE statement; per row its id, or None when its platform id
    was seen before (stored earlier, or earlier in `rows`).

    `engine`: storage.db.make_ack_engine's (on PostgreSQL an autocommit statement: all rows or none).
    A pooled connection the database closed is retried once: the insert does nothing the second
    time for rows the first one stored.
    """
    if engine.get_execution_options().get(DRIVER_INSERT):  # PostgreSQL's ack engine: storage.ack_insert
        new = {(channel, platform_id): row_id
               for row_id, channel, platform_id in ack_insert.insert_rows(engine, rows, _ADD_COLUMNS)}
        return [new.pop((row["channel"], row["platform_message_id"]), None) for row in rows]
    statement = _add_statement(engine.dialect.name)
    for attempt in (1, 2):
        try:
            with engine.begin() as connection:
                stored = connection.execute(statement, rows).all()
            break
        except DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise
    ids = {(row.channel, row.platform_message_id): row.id for row in stored}
    return [ids.pop((row["channel"], row["platform_message_id"]), None) for row in rows]


def add(engine: Engine, channel: str, sender_id: str, platform_id: str, platform_at: datetime,
        event: dict[str, Any], now: datetime) -> int | None:
    """Record one acknowledged event; its row id, or None when the platform id was seen before."""
    return insert_rows(engine, [row_values(channel, sender_id, platform_id, platform_at, event, now)])[0]


class _Waiting:
    __slots__ = ("row", "ready", "batch", "result", "error")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.ready = threading.Event()  # its row is written, or it was given `batch` to write
        self.batch: list[_Waiting] | None = None
        self.result: int | None = None
        self.error: BaseException | None = None


class GroupAcknowledger:
    """Group commit for the acknowledgement: when the database is the bottleneck, concurrent
    webhooks share one insert and one commit.

    Up to `writers` inserts run at once, each by a request thread for its own row and whatever was
    waiting; a request that arrives while all of them run waits, and the first such request is
    handed every row waiting (its own among them, up to `max_rows`) when a writer finishes. With the
    database keeping up nobody waits: each request writes its own row as before. Every request is
    answered only after its row is committed (the 200 follows the commit: an acknowledged event is
    never only in memory). A write that fails for a reason other than a lost connection is repeated
    row by row, so one request's bad row fails that request only.
    """

    def __init__(self, engine: Engine, writers: int = 4, max_rows: int = 100) -> None:
        self.engine = engine
        self.max_writers = max(1, writers)
        self.max_rows = max(1, max_rows)
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writers = 0
        self.writes = 0  # statements issued (for tests and benchmarks: rows per write)

    def add(self, channel: str, sender_id: str, platform_id: str, platform_at: datetime,
            event: dict[str, Any], now: datetime) -> int | None:
        waiting = _Waiting(row_values(channel, sender_id, platform_id, platform_at, event, now))
        with self._lock:
            if self._writers < self.max_writers:
                self._writers += 1
                waiting.batch = self._take(self.max_rows - 1) + [waiting]
            else:
                self._queue.append(waiting)
        if waiting.batch is None:
            waiting.ready.wait()
        if waiting.batch is not None:  # this request writes: its row, and those waiting with it
            self._write(waiting.batch)
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def _take(self, count: int) -> list[_Waiting]:
        taken, self._queue = self._queue[:count], self._queue[count:]
        return taken

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            self._store(batch)
        finally:
            for waiting in batch:
                waiting.batch = None
                waiting.ready.set()
            with self._lock:  # the writer's turn passes to the oldest waiting request, if any
                if self._queue:
                    following = self._take(self.max_rows)
                    following[0].batch = following
                    following[0].ready.set()
                else:
                    self._writers -= 1

    def _store(self, batch: list[_Waiting]) -> None:
        self.writes += 1
        try:
            results = insert_rows(self.engine, [waiting.row for waiting in batch])
        except BaseException as error:
            if len(batch) == 1 or (isinstance(error, DBAPIError) and error.connection_invalidated):
                for waiting in batch:
                    waiting.error = error
                return
            for waiting in batch:  # find the row that failed: it alone gets the error
                try:
                    waiting.result = insert_rows(self.engine, [waiting.row])[0]
                except BaseException as own:
                    waiting.error = own
            return
        for waiting, result in zip(batch, results):
            waiting.result = result


def _claimable(now: Any) -> sa.ColumnElement[bool]:
    other = inbound.alias("other")
    before = sa.or_(other.c.platform_at < inbound.c.platform_at,
                    sa.and_(other.c.platform_at == inbound.c.platform_at, other.c.id < inbound.c.id))
    blocked = sa.exists().where(other.c.channel == inbound.c.channel,
                                other.c.sender_id == inbound.c.sender_id,
                                other.c.id != inbound.c.id, other.c.status.in_(OPEN),
                                sa.or_(other.c.status == "processing", before))
    due = sa.or_(sa.and_(inbound.c.status == "pending", inbound.c.next_attempt_at <= now),
                 sa.and_(inbound.c.status == "processing", inbound.c.locked_until < now))
    return sa.and_(due, ~blocked)


_CLAIM: dict[tuple[str, int], tuple[Any, Any, Any]] = {}  # built once per dialect and batch size


def _claim_statements(dialect: str, limit: int) -> tuple[Any, Any, Any]:
    """The claim's three statements, with `now`, `worker`, `until` and `ids` as parameters (built
    once: composing the claimable condition was a tenth of a worker's CPU per message)."""
    key = (dialect, limit)
    if key not in _CLAIM:
        now = sa.bindparam("now", type_=inbound.c.next_attempt_at.type)
        query = sa.select(inbound.c.id).where(_claimable(now)).order_by(inbound.c.id).limit(limit)
        if dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=inbound)
        ids: Any = sa.bindparam("ids", expanding=True)
        take = inbound.update().where(inbound.c.id.in_(ids), _claimable(now)).values(
            status="processing", locked_by=sa.bindparam("worker"), locked_until=sa.bindparam(
                "until", type_=inbound.c.locked_until.type), attempts=inbound.c.attempts + 1)
        taken = sa.select(inbound.c.id, inbound.c.event, inbound.c.attempts).where(
            inbound.c.id.in_(ids), inbound.c.locked_by == sa.bindparam("worker"),
            inbound.c.status == "processing").order_by(inbound.c.id)
        _CLAIM[key] = (query, take, taken)
    return _CLAIM[key]


def claim(session_factory: sessionmaker[Session], worker: str, now: datetime, lease_seconds: float,
          limit: int) -> list[ClaimedEvent]:
    """Take up to `limit` claimable rows (of distinct senders) for `worker`; commits at once."""
    with session_factory() as session, session.begin():
        query, take, taken = _claim_statements(session.get_bind().dialect.name, limit)
        ids = list(session.scalars(query, {"now": now}))
        if not ids:
            return []
        until = now + timedelta(seconds=lease_seconds)
        session.execute(take, {"ids": ids, "now": now, "worker": worker, "until": until})
        rows = session.execute(taken, {"ids": ids, "worker": worker})
        return [ClaimedEvent(row.id, dict(row.event or {}), row.attempts) for row in rows]


def _mine(row_id: int, worker: str) -> sa.ColumnElement[bool]:
    return sa.and_(inbound.c.id == row_id, inbound.c.locked_by == worker,
                   inbound.c.status == "processing")


def finish_many(session: Session, row_ids: list[int], worker: str, now: datetime) -> set[int]:
    """Inside the transaction that does the work: mark the rows done that this worker still holds,
    in one statement; their ids. A row missing from them passed to another worker: the caller must
    drop its work (it is not processed here)."""
    if not row_ids:
        return set()
    mine = sa.and_(inbound.c.id.in_(row_ids), inbound.c.locked_by == worker,
                   inbound.c.status == "processing")
    return set(session.scalars(inbound.update().where(mine).values(
        status="done", processed_at=now, locked_until=None, last_error=None)
        .returning(inbound.c.id)))


def retry_later(session_factory: sessionmaker[Session], row_id: int, worker: str, at: datetime,
                error: str) -> bool:
    """The work failed: back to the queue until `at` (later rows of the sender wait behind it)."""
    with session_factory() as session, session.begin():
        return rows_changed(session.execute(inbound.update().where(_mine(row_id, worker)).values(
            status="pending", next_attempt_at=at, locked_by=None, locked_until=None,
            last_error=error[:2000]))) == 1


def give_up(session_factory: sessionmaker[Session], row_id: int, worker: str, now: datetime,
            error: str) -> bool:
    """Failed too often: kept as `failed` (with its error) and no longer holds its sender back."""
    with session_factory() as session, session.begin():
        return rows_changed(session.execute(inbound.update().where(_mine(row_id, worker)).values(
            status="failed", processed_at=now, locked_until=None, last_error=error[:2000]))) == 1


def open_count(session_factory: sessionmaker[Session], now: datetime) -> int:
    """Rows due or in hand (not those waiting for a retry later): 0 means the workers are idle."""
    due = sa.or_(inbound.c.status == "processing",
                 sa.and_(inbound.c.status == "pending", inbound.c.next_attempt_at <= now))
    with session_factory() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(inbound).where(due)) or 0)


# -- personal data (routing.privacy) ---------------------------------------------------------------
# A finished event is the queue's copy of a message stored in `messages`, whose platform id there
# keeps a platform's late retry of a deleted event a duplicate (Pipeline.take_in).

def delete_finished(session: Session, before: datetime) -> int:
    """Delete the events processed, or failed for good, before `before`; how many."""
    return rows_changed(session.execute(inbound.delete().where(
        inbound.c.status.in_(FINISHED), inbound.c.processed_at < before)))


def delete_finished_of(session: Session, channel: str, sender_id: str) -> int:
    """Delete one sender's finished events (a deletion they asked for); how many. Events still
    waiting or being processed are left to the workers."""
    return rows_changed(session.execute(inbound.delete().where(
        inbound.c.channel == channel, inbound.c.sender_id == sender_id,
        inbound.c.status.in_(FINISHED))))
