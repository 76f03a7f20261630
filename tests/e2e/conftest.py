"""e2e fixtures: a citizen on a given channel, talking to the live app."""
from __future__ import annotations

from typing import Callable

import pytest

from tests.conftest import LiveApp
from tests.e2e.citizens import Citizen, make_citizen
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo

CHANNELS = ("telegram", "facebook", "zalo", "webchat")


@pytest.fixture
def new_citizen(live_app: LiveApp, fake_telegram: FakeTelegram, fake_graph: FakeGraph,
                fake_zalo: FakeZalo) -> Callable[[str], Citizen]:
    return lambda channel: make_citizen(channel, live_app, fake_telegram, fake_graph, fake_zalo)
