"""Zalo's single-use refresh token: refreshed ahead of expiry and on -216, never burned twice."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any, Iterator

import pytest

from channels.base import OutgoingMessage
from channels.zalo import ZaloChannel
from outbox.zalo_tokens import DbTokenSource, install
from settings import ZaloSettings
from storage import tokens as store
from tests.conftest import ROOT, ZALO_APP_ID, ZALO_SECRET
from tests.fakes import FakeZalo
from tests.integration.outbox_support import now

APP_SECRET = "test-zalo-app-secret"


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with FakeZalo("unused") as fake:
        fake.set_tokens("access-old", "refresh-0", APP_SECRET)
        yield fake  # type: ignore[misc]


def channel(fake: FakeZalo) -> ZaloChannel:
    return ZaloChannel(ZALO_APP_ID, ZALO_SECRET, "", fake.url, timeout=5, zns_url=fake.url,
                       oauth_url=fake.url, app_secret=APP_SECRET)


def seed_expired(session_factory: Any) -> None:
    store.seed(session_factory, "zalo", "access-old", "refresh-0", now() - timedelta(minutes=1), now())


def test_two_processes_worth_of_threads_refresh_once(session_factory: Any, zalo: FakeZalo) -> None:
    seed_expired(session_factory)
    zalo.refresh_delay = 0.3  # a slow OAuth answer: everyone else arrives while it is under way
    sources = [DbTokenSource(session_factory, channel(zalo)) for _ in range(2)]  # two "processes"
    got: list[str] = []
    threads = [threading.Thread(target=lambda s=sources[i % 2]: got.append(s.current()))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert zalo.refreshes == ["refresh-0"]  # one refresh, with the one valid refresh token
    assert len(got) == 8 and len(set(got)) == 1 and got[0].startswith("access-")
    row = store.load(session_factory, "zalo")
    assert row is not None and row.access_token == got[0] and row.refresh_token != "refresh-0"
    assert row.expires_at is not None and row.expires_at > now() + timedelta(hours=24)


def test_processes_race_for_the_refresh_and_burn_it_once(session_factory: Any, database_url: str,
                                                         zalo: FakeZalo) -> None:
    seed_expired(session_factory)
    zalo.refresh_delay = 0.3
    script = f"""
import sys
from outbox.zalo_tokens import DbTokenSource
from channels.zalo import ZaloChannel
from storage.db import make_engine, make_session_factory
source = DbTokenSource(make_session_factory(make_engine({database_url!r})), ZaloChannel(
    {ZALO_APP_ID!r}, {ZALO_SECRET!r}, "", {zalo.url!r}, timeout=5, oauth_url={zalo.url!r},
    app_secret={APP_SECRET!r}))
print(source.current())
"""
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE)
                 for _ in range(3)]
    tokens = {process.communicate(timeout=60)[0].decode().strip() for process in processes}
    assert zalo.refreshes == ["refresh-0"]
    assert len(tokens) == 1 and tokens.pop().startswith("access-")


def test_an_invalid_token_is_refreshed_and_the_send_retried_once(session_factory: Any,
                                                                 zalo: FakeZalo) -> None:
    zalo_channel = channel(zalo)
    install(session_factory, zalo_channel, ZaloSettings(access_token="access-old", refresh_token="refresh-0",
                                                    app_secret=APP_SECRET))
    assert zalo_channel.send(OutgoingMessage("42", "Trước khi hết hạn.")).platform_message_id
    zalo.expire_access_tokens()  # Zalo now answers -216
    result = zalo_channel.send(OutgoingMessage("42", "Sau khi hết hạn."))
    assert result.platform_message_id
    sends = [r for r in zalo.requests if r.path.endswith("/cs")]
    assert [r.header("access_token") for r in sends] == ["access-old", "access-old",
                                                         zalo.access_token]
    assert zalo.refreshes == ["refresh-0"]
    form = next(r for r in zalo.requests if r.path == "/v4/oa/access_token")
    assert form.header("secret_key") == APP_SECRET
    assert form.body == {"refresh_token": "refresh-0", "app_id": ZALO_APP_ID,
                         "grant_type": "refresh_token"}


def test_the_environment_seeds_the_pair_once_and_never_overwrites_a_rotated_one(
        session_factory: Any, zalo: FakeZalo) -> None:
    first = channel(zalo)
    install(session_factory, first, ZaloSettings(refresh_token="refresh-0", app_secret=APP_SECRET))
    token = first.access_token  # no access token configured: refreshed on first use
    assert token.startswith("access-") and zalo.refreshes == ["refresh-0"]
    again = channel(zalo)  # a restart with the same (now dead) refresh token in the environment
    install(session_factory, again, ZaloSettings(refresh_token="refresh-0", app_secret=APP_SECRET))
    assert again.access_token == token and zalo.refreshes == ["refresh-0"]
    assert json.dumps(store.load(session_factory, "zalo").refresh_token) != '"refresh-0"'
