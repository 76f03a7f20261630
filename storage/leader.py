"""Exactly one active holder of a role (the scheduler) among any number of processes.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a connection kept open
for as long as the role is held; the database releases it when that connection ends, so a killed
holder frees the role at once and a standby takes it on its next try. SQLite (one machine): an
exclusive `flock` on a file beside the database, which the kernel releases when the process dies.
"""
from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)


class SingleActive:
    def __init__(self, engine: Engine, role: str) -> None:
        self.engine = engine
        self.role = role
        self.key = zlib.crc32(f"pakn-bot:{role}".encode())  # a stable 32-bit advisory lock key
        self._connection: Any = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the role if no other process holds it; True while this process holds it."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            got = bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                          {"key": self.key}).scalar())
            connection.commit()  # the lock is the session's, not the transaction's
            if not got:
                connection.close()
                return False
            self._connection = connection
            return True
        return self._flock()

    def _flock(self) -> bool:
        import fcntl

        database = self.engine.url.database or ""
        path = Path(database + f".{self.role}.lock") if database and database != ":memory:" else None
        if path is None:
            return True  # an in-memory database belongs to this one process
        handle = open(path, "ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        """PostgreSQL: the lock's connection still answers (if it broke, the lock is gone)."""
        if self._connection is None:
            return self.held
        try:
            self._connection.execute(sa.text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception:
            logger.exception("the %s lock's database connection broke: the role is lost", self.role)
            self._connection = None
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._connection.commit()
                self._connection.close()
            except Exception:  # the connection is gone: so is the lock
                pass
            self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None
