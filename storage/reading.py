"""The session that pages and entry points read through: read-side queries only.

A view gets its data from the query modules (storage.console_queries, public_queries, ...) through
`read_session`; anything it changes goes through a service in a unit of work. This session refuses
to write (an INSERT, UPDATE or DELETE, or a flush of changed objects raises ReadOnlySession) and
is rolled back when closed, so a write slipped into a page can neither land nor half-land.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker


class ReadOnlySession(RuntimeError):
    """A write was attempted through a read session: it belongs in a service and a unit of work."""


def _refuse_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySession(f"write through a read session: {state.statement}")


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession("flush of changed objects through a read session")


@contextmanager
def read_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    event.listen(session, "do_orm_execute", _refuse_writes)
    event.listen(session, "before_flush", _refuse_flush)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
