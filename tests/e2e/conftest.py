"""e2e fixtures: a citizen on a given channel, talking to the live app."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.conftest import LiveApp, channel_settings, start_live_app
from tests.e2e.citizens import Citizen, make_citizen
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo
from tests.integration.conftest import fresh_postgres_database

CHANNELS = ("telegram", "facebook", "zalo", "webchat")


@pytest.fixture
def new_citizen(live_app: LiveApp, fake_telegram: FakeTelegram, fake_graph: FakeGraph,
                fake_zalo: FakeZalo) -> Callable[[str], Citizen]:
    return lambda channel: make_citizen(channel, live_app, fake_telegram, fake_graph, fake_zalo)


@pytest.fixture(scope="session")
def live_app_postgres(tmp_path_factory: pytest.TempPathFactory, nlu_models_dir: Path,
                      fake_telegram: FakeTelegram, fake_graph: FakeGraph,
                      fake_zalo: FakeZalo) -> Iterator[LiveApp]:
    """live_app on a fresh PostgreSQL database (skipped where none is reachable, failed on CI)."""
    with fresh_postgres_database() as url:
        live = start_live_app(tmp_path_factory.mktemp("live-pg"), nlu_models_dir,
                              channel_settings(fake_telegram.url, fake_graph.url, fake_zalo.url),
                              database_url=url)
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_app_on(request: pytest.FixtureRequest) -> LiveApp:
    """The live app on SQLite, then on PostgreSQL: tests that must hold on both databases."""
    name = "live_app" if request.param == "sqlite" else "live_app_postgres"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
