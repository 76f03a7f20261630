"""e2e fixtures: a citizen on a given channel, talking to the live app."""
from __future__ import annotations

from typing import Callable

import pytest

pytest.register_assert_rewrite("tests.e2e.citizens")

from tests.conftest import LiveApp  # noqa: E402
from tests.e2e.citizens import Citizen, make_citizen  # noqa: E402
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo  # noqa: E402

CHANNELS = ("telegram", "facebook", "zalo", "webchat")


@pytest.fixture
def new_citizen(live_app: LiveApp, fake_telegram: FakeTelegram, fake_graph: FakeGraph,
                fake_zalo: FakeZalo) -> Callable[[str], Citizen]:
    return lambda channel: make_citizen(channel, live_app, fake_telegram, fake_graph, fake_zalo)
