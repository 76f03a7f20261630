"""The scheduler's single-active lock (storage/leader.py) on SQLite and PostgreSQL: a second holder
is refused while the first holds it, and gets it once the first lets go (a killed process lets go
with its connection; tests/topology checks that with real processes)."""
from __future__ import annotations

from typing import Any

from storage.db import make_engine
from storage.leader import SingleActive


def test_one_holder_at_a_time(database_url: str, session_factory: Any) -> None:
    first_engine, second_engine = make_engine(database_url), make_engine(database_url)
    first, second = SingleActive(first_engine, "scheduler"), SingleActive(second_engine, "scheduler")
    other_role = SingleActive(second_engine, "other")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert other_role.try_acquire()  # another role is another lock
        assert first.still_held()
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        for lock in (first, second, other_role):
            lock.release()
        first_engine.dispose()
        second_engine.dispose()
