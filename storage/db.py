"""Engine and session factory, schema upgrades through Alembic, catalogue seeding."""
from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from routing.catalogue import Catalogue
from storage.ack_insert import DRIVER_INSERT
from storage.catalogue_files import sync_catalogue_rows
from storage.orm import SESSION_HOOKS, calendar_days, start_mappers
from storage.repository import forget_outbox_knowledge

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def _json(value: object) -> str:
    """JSON columns keep Vietnamese letters as they are (readable in the database, no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """An engine with SQLite made safe for concurrent writers (WAL, immediate transactions)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  json_serializer=_json)

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # let SQLAlchemy issue BEGIN (savepoints work)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection):  # type: ignore[no-untyped-def]
            # Take the write lock up front: no deadlock when two readers both try to write.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, json_serializer=_json)


def make_ack_engine(engine: Engine) -> Engine:
    """The engine for the webhook acknowledgement's one insert (storage/inbound_queue.add).

    PostgreSQL: autocommit and no pre-ping, so the insert is ONE round trip (a ping, a BEGIN and a
    COMMIT would triple it); a connection found dead is retried once, which is safe because the
    insert does nothing the second time if the first one landed. SQLite: the engine itself.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                            pool_size=10, max_overflow=20, json_serializer=_json,
                            pool_reset_on_return=None,  # autocommit: no transaction to end
                            # the insert on psycopg's cursor, without SQLAlchemy's execution:
                            # half the ack's database CPU (storage/ack_insert.py)
                            execution_options={DRIVER_INSERT: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    start_mappers()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    for name, hook in SESSION_HOOKS:
        sa.event.listen(factory, name, hook)
    sa.event.listen(factory, "after_transaction_end", forget_outbox_knowledge)
    return factory


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database up to the newest migration."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "heads")


def seed_catalogue(engine: Engine, catalogue: Catalogue) -> None:
    """Insert or update agencies and procedures from the catalogue (idempotent)."""
    with engine.begin() as connection:
        sync_catalogue_rows(connection, catalogue)


def seed_calendar(engine: Engine, entries: list[tuple[date, bool, str]]) -> int:
    """Add the catalogue's days that the database does not have yet (admins' edits are kept)."""
    with engine.begin() as connection:
        known = set(connection.scalars(sa.select(calendar_days.c.day)))
        rows = [{"day": day, "working": working, "reason": reason}
                for day, working, reason in entries if day not in known]
        if rows:
            connection.execute(calendar_days.insert(), rows)
    return len(rows)
