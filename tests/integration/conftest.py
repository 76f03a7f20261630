"""Database fixtures: a fresh SQLite file, and a fresh PostgreSQL database where one is reachable."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.components import build_components
from bot.config import load_settings
from storage.catalogue_files import calendar_entries, load_catalogue
from storage.db import make_engine, make_session_factory, seed_calendar, seed_catalogue, upgrade
from tests.conftest import ROOT

PG_ADMIN_URL = os.environ.get("PAKN_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/pakn.db"
        return
    with fresh_postgres_database() as url:
        yield url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards (skipped where none is
    reachable, a failure on CI)."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at " + PG_ADMIN_URL)
        pytest.skip("PostgreSQL is not reachable at " + PG_ADMIN_URL)
    name = f"pakn_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def session_factory(database_url: str):  # type: ignore[no-untyped-def]
    upgrade(database_url)
    engine = make_engine(database_url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    seed_calendar(engine, calendar_entries(ROOT / "catalogue"))
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def pakn(database_url: str, nlu_models_dir: Path) -> Iterator[Any]:
    """The composition root on a fresh database, processing in line (no background threads)."""
    upgrade(database_url)
    settings = load_settings(overrides={"database_url": database_url,
                                        "nlu": {"models_dir": str(nlu_models_dir)}})
    components = build_components(settings, background=False)
    components.nlu.reload_if_changed()
    seed_catalogue(components.engine, load_catalogue(ROOT / "catalogue"))
    seed_calendar(components.engine, calendar_entries(ROOT / "catalogue"))
    yield components
    components.engine.dispose()
