"""The acknowledgement's insert on psycopg's cursor (storage/ack_insert.py, PostgreSQL's ack engine)
stores what SQLAlchemy's insert stored, tells a duplicate apart, survives a connection the database
closed, and fails a refused row alone, as a SQLAlchemy DBAPIError like before (issue 18)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from storage import inbound_queue as q
from storage.ack_insert import DRIVER_INSERT
from storage.db import make_ack_engine, make_engine, upgrade
from storage.orm import inbound
from tests.integration.conftest import fresh_postgres_database

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 12, 7, 9, 30, tzinfo=timezone(timedelta(hours=7)))  # Hà Nội time in, UTC kept
EVENT = {"channel": "facebook", "text": "Đèn đường ngõ 15 bị hỏng", "raw": {"nested": [1, None, "ờ"]}}


@pytest.fixture
def engines() -> Iterator[tuple[sa.Engine, sa.Engine]]:
    """(the ordinary engine, the acknowledgement's) on a fresh PostgreSQL database."""
    with fresh_postgres_database() as url:
        upgrade(url)
        engine = make_engine(url)
        ack = make_ack_engine(engine)
        yield engine, ack
        ack.dispose()
        engine.dispose()


def row(platform_id: str, channel: str = "facebook") -> dict[str, Any]:
    return q.row_values(channel, "8000001", platform_id, T0, {**EVENT, "message_id": platform_id}, T0)


def stored(engine: sa.Engine, platform_id: str) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(sa.select(inbound).where(
            inbound.c.platform_message_id == platform_id)).mappings().one()
    return {k: v for k, v in found.items() if k not in ("id", "platform_message_id")}


def test_only_the_ack_engine_takes_the_driver_path(engines: tuple[sa.Engine, sa.Engine]) -> None:
    engine, ack = engines
    assert ack.get_execution_options().get(DRIVER_INSERT) is True
    assert not engine.get_execution_options().get(DRIVER_INSERT)


def test_the_row_is_the_one_sqlalchemy_stored(engines: tuple[sa.Engine, sa.Engine]) -> None:
    engine, ack = engines
    by_driver, by_sqlalchemy = q.insert_rows(ack, [row("m_1")]), q.insert_rows(engine, [row("m_2")])
    assert by_driver[0] is not None and by_sqlalchemy[0] is not None
    driver_row, sqlalchemy_row = stored(engine, "m_1"), stored(engine, "m_2")
    assert driver_row["event"] == {**EVENT, "message_id": "m_1"}
    assert {**driver_row, "event": None} == {**sqlalchemy_row, "event": None}
    assert driver_row["platform_at"] == T0 and driver_row["platform_at"].utcoffset() == timedelta(0)
    with engine.connect() as connection:  # Vietnamese kept as letters, not \u escapes
        text = connection.execute(sa.text("SELECT event::text FROM inbound WHERE "
                                          "platform_message_id = 'm_1'")).scalar_one()
    assert "Đèn đường" in text


def test_a_duplicate_is_none_stored_before_or_earlier_in_the_batch(engines: tuple[sa.Engine, sa.Engine]) -> None:
    _, ack = engines
    (first,) = q.insert_rows(ack, [row("m_a")])
    again, new, twice = q.insert_rows(ack, [row("m_a"), row("m_b"), row("m_b")])
    assert isinstance(first, int) and again is None and isinstance(new, int) and twice is None
    assert q.insert_rows(ack, [row("m_a", channel="zalo")])[0] is not None  # another platform's id


def test_a_naive_time_is_refused_as_before(engines: tuple[sa.Engine, sa.Engine]) -> None:
    _, ack = engines
    naive = {**row("m_naive"), "platform_at": datetime(2026, 12, 7, 2, 30)}
    with pytest.raises(ValueError, match="naive"):
        q.insert_rows(ack, [naive])


def test_a_connection_the_database_closed_is_retried_once(engines: tuple[sa.Engine, sa.Engine]) -> None:
    engine, ack = engines
    q.insert_rows(ack, [row("m_before")])  # a connection now waits in the pool
    with engine.connect() as connection:
        killed = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    assert killed >= 1
    (after,) = q.insert_rows(ack, [row("m_after")])
    assert after is not None and stored(engine, "m_after")["status"] == "pending"


def test_a_row_the_database_refuses_fails_its_own_request_only(engines: tuple[sa.Engine, sa.Engine]) -> None:
    _, ack = engines
    with pytest.raises(DBAPIError) as refused:
        q.insert_rows(ack, [row("m_long", channel="x" * 40)])  # channel is VARCHAR(16)
    assert not refused.value.connection_invalidated
    writer = q.GroupAcknowledger(ack)
    good = writer.add("facebook", "8000002", "m_good", T0, EVENT, T0)
    with pytest.raises(DBAPIError):
        writer.add("x" * 40, "8000002", "m_bad", T0, EVENT, T0)
    assert isinstance(good, int) and q.insert_rows(ack, [row("m_next")])[0] is not None
