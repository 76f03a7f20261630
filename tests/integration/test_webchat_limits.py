"""Web chat limits (issue 17): messages per browser session and per client address, new sessions
per address, counted in the database for every process; over a limit the page gets a 429 with a
Vietnamese sentence it shows and a Retry-After, and nothing is recorded. Fields and bodies are
bounded. SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot import webchat_texts as W
from bot.app import create_app
from bot.config import merge
from tests.conftest import NO_CHANNEL_SECRETS
from tests.integration.console_support import Console, make_console

PER_SESSION, PER_ADDRESS, NEW_SESSIONS = 5, 8, 4
LIMITS = {"proxy": {"trusted_hops": 1},
          "public": {"chat_messages_per_session": PER_SESSION, "chat_messages_per_address": PER_ADDRESS,
                     "chat_sessions_per_address": NEW_SESSIONS}}
TOO_MANY = W.TOO_MANY.format(minutes=1)


@pytest.fixture
def site(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, LIMITS, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


class Chat:
    """A citizen's browser on /chat, reaching the server through the proxy from `address`."""

    def __init__(self, app: Any, address: str = "203.0.113.5", cookie: str | None = None) -> None:
        self.http, self.address = app.test_client(), address
        if cookie is None:
            assert self.http.get("/chat", headers=self.headers()).status_code == 200
        else:
            self.http.set_cookie("session", cookie)

    def headers(self) -> dict[str, str]:
        return {"X-Forwarded-For": self.address}

    def cookie(self) -> str:
        found = self.http.get_cookie("session")
        assert found is not None
        return str(found.value)

    def say(self, text: str = "Đèn đường ngõ 12 phố Bà Triệu hỏng", **extra: Any) -> Any:
        body = {"client_message_id": uuid.uuid4().hex, "text": text, **extra}
        return self.http.post("/chat/api/messages", json=body, headers=self.headers())


def inbound(site: Console) -> int:
    return int(site.query("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0])


def test_one_session_is_held_back_and_told_when_to_try_again(site: Console) -> None:
    chat = Chat(site.app)
    assert [chat.say().status_code for _ in range(PER_SESSION)] == [202] * PER_SESSION
    refused = chat.say()
    assert refused.status_code == 429
    assert refused.json == {"error": TOO_MANY, "reason": "rate_limited", "retry_after": 60}
    assert refused.headers["Retry-After"] == "60"
    assert inbound(site) == PER_SESSION  # the refused message was not recorded
    upload = chat.http.post("/chat/api/uploads", headers={**chat.headers(), "X-Requested-With": "pakn-webchat"},
                            data={"client_message_id": uuid.uuid4().hex})
    assert upload.status_code == 429  # a file counts like a message
    # Someone else at the same address (an office, a mobile network) still chats.
    assert Chat(site.app).say().status_code == 202


def test_an_address_is_held_back_however_many_sessions_it_opens(site: Console) -> None:
    chats = [Chat(site.app, "198.51.100.7") for _ in range(3)]
    codes = [chats[n % 3].say().status_code for n in range(PER_ADDRESS + 2)]
    assert codes == [202] * PER_ADDRESS + [429, 429]
    assert Chat(site.app, "192.0.2.44").say().status_code == 202  # another citizen elsewhere


def test_a_script_that_drops_its_cookie_cannot_open_session_after_session(site: Console) -> None:
    codes = []
    for _ in range(NEW_SESSIONS + 2):
        bare = site.app.test_client()  # no cookie: a new chat session every time
        codes.append(bare.post("/chat/api/messages", json={"client_message_id": uuid.uuid4().hex,
                                                           "text": "xin chào"},
                               headers={"X-Forwarded-For": "203.0.113.99"}).status_code)
    assert codes == [202] * NEW_SESSIONS + [429, 429]
    conversations = site.query("SELECT count(*) FROM conversations WHERE channel = 'webchat'")[0][0]
    assert conversations == NEW_SESSIONS


def test_concurrent_messages_through_two_processes_pass_at_most_the_limit(
        site: Console, nlu_models_dir: Path, database_url: str) -> None:
    other = create_app(merge({"database_url": database_url, "secret_key": "test-secret",
                              "background": False, "channels": NO_CHANNEL_SECRETS,
                              "nlu": {"backend": "builtin", "models_dir": str(nlu_models_dir)}}, LIMITS))
    try:
        chat = Chat(site.app)
        assert chat.say().status_code == 202  # the session has started (counted as new once)
        cookie = chat.cookie()  # one browser session, its requests spread over both apps
        apps = [site.app, other]
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(lambda n: Chat(apps[n % 2], cookie=cookie).say(f"tin số {n}").status_code,
                                  range(4 * PER_SESSION)))
    finally:
        other.extensions["pakn"].engine.dispose()
    assert sorted(codes) == [202] * (PER_SESSION - 1) + [429] * (3 * PER_SESSION + 1)
    assert inbound(site) == PER_SESSION


@pytest.mark.parametrize("extra, status", [
    ({"payload": "/confirm" + "x" * 300}, 400),
    ({"text": "a" * 4001}, 400),
    ({"text": "a" * 4000, "note": "x" * 40_000}, 413),
])
def test_fields_and_bodies_are_bounded(site: Console, extra: dict[str, str], status: int) -> None:
    response = Chat(site.app).say(**extra)
    assert response.status_code == status, response.text[:200]
    assert inbound(site) == 0
