"""The chat lookup's attempt limit (issue 17) holds across processes: wrong phone endings are counted
in the database before they are compared, per tracking code whoever asks and per chat whatever
the code, so concurrent guesses through two app instances on one database check at most the limit.
A code that does not exist is counted and answered exactly like someone else's. SQLite and
PostgreSQL."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.app import create_app
from bot.config import merge
from channels.base import IncomingMessage, now
from intake import messages as M
from storage.attempts import key_hash
from tests.conftest import NO_CHANNEL_SECRETS
from tests.integration.console_support import Console, make_console

LIMIT, PER_CHAT = 10, 30
LIMITS = {"public": {"lookup_attempts": LIMIT, "lookup_attempts_per_address": PER_CHAT}}


@pytest.fixture
def two_apps(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[tuple[Console, Any]]:
    """Two server processes' worth of app (own components, own engine) on one database."""
    first = make_console(tmp_path, nlu_models_dir, LIMITS, database_url=database_url)
    second = create_app(merge({"database_url": database_url, "secret_key": "test-secret",
                               "background": False, "channels": NO_CHANNEL_SECRETS,
                               "nlu": {"backend": "builtin", "models_dir": str(nlu_models_dir)}}, LIMITS))
    yield first, second
    first.pakn.engine.dispose()
    second.extensions["pakn"].engine.dispose()


def ask(app: Any, sender: str, text: str) -> str:
    """One chat message through that app's pipeline; the bot's answer."""
    incoming = IncomingMessage("telegram", sender, uuid.uuid4().hex, text, now())
    replies = app.extensions["pakn"].pipeline.handle(incoming).replies
    return " ".join(reply.text for reply in replies)


def blocked(code: str) -> str:
    return M.LOOKUP_BLOCKED.format(code=code, minutes=10)


@pytest.mark.parametrize("exists", [True, False], ids=["existing code", "unknown code"])
def test_concurrent_guesses_through_two_processes_check_at_most_the_limit(
        two_apps: tuple[Console, Any], exists: bool) -> None:
    first, second = two_apps
    code = first.file() if exists else "PAKN-1999-999999"
    apps = [first.app, second]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: ask(apps[n % 2], f"doan-{n}", f"tra cứu {code} {n:04d}"),
                                range(3 * LIMIT)))
    wrong = answers.count(M.LOOKUP_DIGITS_WRONG)
    assert wrong == LIMIT, answers  # an unknown code is answered exactly the same way
    assert answers.count(blocked(code)) == 2 * LIMIT, answers
    # The right ending from yet another chat waits too: the code's attempts are spent.
    assert ask(second, "nguoi-nha", f"tra cứu {code} 5678") == blocked(code)
    if exists:  # the citizen who filed it is never asked for digits, so never held back
        assert code in ask(first.app, "111", f"tra cứu {code}")
    counters = first.query("SELECT count FROM attempt_counters WHERE name = 'chat_lookup'")
    assert [row[0] for row in counters] == [3 * LIMIT + 1]
    assert not first.query("SELECT 1 FROM attempt_counters WHERE key_hash LIKE '%PAKN%'")


def test_one_chat_trying_code_after_code_is_stopped(two_apps: tuple[Console, Any]) -> None:
    first, second = two_apps
    code = first.file()
    answers = [ask((first.app, second)[n % 2], "mot-nguoi", f"tra cứu PAKN-2020-{n:06d} 1234")
               for n in range(PER_CHAT)]
    assert answers == [M.LOOKUP_DIGITS_WRONG] * PER_CHAT
    refused = ask(second, "mot-nguoi", f"tra cứu {code} 5678")
    assert refused == M.LOOKUP_BLOCKED_SENDER.format(minutes=10)
    assert code not in refused and "Hạn trả lời" not in refused
    # Another chat with the right ending still sees the status; a right answer is not a failure.
    assert code in ask(first.app, "nguoi-khac", f"tra cứu {code} 5678")
    assert first.query("SELECT count FROM attempt_counters WHERE name = 'chat_lookup' AND key_hash = :k",
                       k=key_hash(code)) == [(0,)]  # the blocked chat's try was not counted either
