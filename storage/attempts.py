"""Attempt counters in the database (table attempt_counters), shared by every process.

One statement per attempt, INSERT … ON CONFLICT DO UPDATE … RETURNING, so concurrent attempts each
get their own count (no check-then-record race): of 60 simultaneous wrong logins only the first
`attempts` see a count within the limit. Keys are stored as their SHA-256 (they hold usernames,
case codes and client addresses). The limits themselves are in intake.attempts.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from routing.ports import AttemptRepository
from storage.orm import UtcDateTime, attempt_counters

STALE_AFTER = timedelta(days=1)  # counters idle this long are removed now and then


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SqlAttemptRepository(AttemptRepository):
    """intake.attempts.AttemptCounters on the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def hit(self, name: str, key: str, window: float, now: datetime) -> tuple[int, datetime]:
        """Count one attempt; (attempts in the current window including this one, window start).
        A window older than `window` seconds starts again at `now` with this attempt."""
        table = attempt_counters
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        moment = sa.literal(now, UtcDateTime())
        expired = table.c.window_start <= sa.literal(now - timedelta(seconds=window), UtcDateTime())
        upsert = insert(table).values(name=name, key_hash=key_hash(key), count=1, window_start=now)
        statement = upsert.on_conflict_do_update(
            index_elements=[table.c.name, table.c.key_hash],
            set_={"count": sa.case((expired, 1), else_=table.c.count + 1),
                  "window_start": sa.case((expired, moment), else_=table.c.window_start)},
        ).returning(table.c.count, table.c.window_start)
        count, start = self.session.execute(statement).one()
        return int(count), start

    def forget(self, name: str, key: str) -> None:
        """The attempts under this key are forgiven (the right password from this address)."""
        table = attempt_counters
        self.session.execute(table.delete().where(table.c.name == name,
                                                  table.c.key_hash == key_hash(key)))

    def release(self, name: str, key: str) -> None:
        """Take back one counted attempt (it succeeded: only failures count against an address)."""
        table = attempt_counters
        self.session.execute(table.update().where(
            table.c.name == name, table.c.key_hash == key_hash(key), table.c.count > 0)
            .values(count=table.c.count - 1))

    def remove_stale(self, now: datetime) -> int:
        table = attempt_counters
        result = self.session.execute(table.delete().where(table.c.window_start < now - STALE_AFTER))
        return int(getattr(result, "rowcount", 0) or 0)
