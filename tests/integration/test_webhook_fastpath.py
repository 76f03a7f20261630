"""The webhook fast path (bot/webhook_fastpath.py): an enabled channel's POST is answered in front of
the Flask app, and a platform sees exactly what the Flask route answered before: the same status,
text, content type and security headers for an acknowledgement, a refused signature, a body of the
wrong shape and an oversize one; a channel that is not enabled is still the app's 404."""
from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.test import Client

from bot.security import HEADERS
from bot.webhook_fastpath import WebhookFastPath
from tests.conftest import FACEBOOK_APP_SECRET, NO_CHANNEL_SECRETS, TELEGRAM_SECRET, channel_settings
from tests.fakes.signing import compact, messenger_headers, telegram_headers
from tests.integration.console_support import Console, make_console

_sent = iter(range(700_000, 800_000))


@pytest.fixture
def site(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    """Messenger and Telegram enabled, Zalo not; messages processed inline, nothing sent."""
    dead = "http://127.0.0.1:9"
    channels = channel_settings(dead, dead, dead)
    channels["zalo"] = NO_CHANNEL_SECRETS["zalo"]
    made = make_console(tmp_path, nlu_models_dir, {"channels": channels}, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def messenger(text: str = "Xin chào") -> tuple[bytes, dict[str, str]]:
    number = next(_sent)
    body = compact({"object": "page", "entry": [{"id": "1", "time": 1764000000000, "messaging": [{
        "sender": {"id": str(number)}, "recipient": {"id": "1"}, "timestamp": 1764000000000,
        "message": {"mid": f"m_fast_{number}", "text": text}}]}]})
    return body, messenger_headers(FACEBOOK_APP_SECRET, body)


def stored_texts(site: Console) -> list[str]:
    return [row.text for row in site.query("SELECT text FROM messages WHERE direction = 'in' ORDER BY id")]


def assert_secure(response: Any) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)


def answer(response: Any) -> tuple[int, bytes, str | None, list[tuple[str, str]]]:
    """Status, body, type and headers; not `Vary: Cookie`, which the Flask app adds because
    Flask-Login's after-request hook looks into the session (a webhook has no session to vary on)."""
    return (response.status_code, response.get_data(), response.headers.get("Content-Type"),
            sorted(item for item in response.headers.items() if item != ("Vary", "Cookie")))


def test_an_acknowledgement_is_the_plain_200_with_the_security_headers(site: Console) -> None:
    body, headers = messenger("Đèn đường ngõ 15 bị hỏng")
    response = site.app.test_client().post("/webhooks/facebook", data=body, headers=headers)
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_secure(response)
    assert stored_texts(site) == ["Đèn đường ngõ 15 bị hỏng"]


@pytest.mark.parametrize("terminated", [False, True], ids=["werkzeug stream", "as waitress hands it"])
@pytest.mark.parametrize("kind", ["ack", "bad signature", "wrong shape", "not json", "oversize"])
def test_the_fast_path_answers_what_the_flask_route_answers(site: Console, kind: str,
                                                            terminated: bool) -> None:
    """The same request through the fast path and straight to the Flask app behind it (waitress
    marks the input terminated: the fast path then reads the body straight from it)."""
    fast = site.app.test_client()
    assert isinstance(site.app.wsgi_app, WebhookFastPath)
    flask_only = Client(site.app.wsgi_app.app)  # what answered every webhook before

    def request() -> tuple[bytes, dict[str, str]]:
        body, headers = messenger()
        if kind == "bad signature":
            headers["X-Hub-Signature-256"] = "sha256=" + "0" * 64
        elif kind == "wrong shape":
            body = compact({"object": "page", "entry": [{"messaging": [{"sender": "x"}]}]})
            headers = messenger_headers(FACEBOOK_APP_SECRET, body)
        elif kind == "not json":
            body = b'{"object": "page", '
            headers = messenger_headers(FACEBOOK_APP_SECRET, body)
        elif kind == "oversize":
            body = b" " * (site.app.config["MAX_CONTENT_LENGTH"] + 1)
            headers = messenger_headers(FACEBOOK_APP_SECRET, body)
        return body, headers

    answers = []
    for client in (fast, flask_only):
        body, headers = request()
        answers.append(answer(client.post("/webhooks/facebook", data=body, headers=headers,
                                          environ_overrides={"wsgi.input_terminated": True}
                                          if terminated else {})))
    assert answers[0] == answers[1]
    assert answers[0][0] == {"ack": 200, "bad signature": 403, "wrong shape": 400, "not json": 400,
                             "oversize": 413}[kind]
    assert len(stored_texts(site)) == (2 if kind == "ack" else 0)


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(site: Console) -> None:
    body, headers = messenger()
    padded = body[:-1] + b"," + b'"padding":"' + b"x" * site.app.config["MAX_CONTENT_LENGTH"] + b'"}'
    # As waitress hands a chunked body over: no Content-Length, the input terminated.
    response = site.app.test_client().post(
        "/webhooks/facebook", input_stream=io.BytesIO(padded), headers=headers,
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": "",
                           "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413
    assert_secure(response)
    assert stored_texts(site) == []


def test_a_channel_that_is_not_enabled_is_still_the_apps_404(site: Console) -> None:
    client = site.app.test_client()
    for path in ("/webhooks/zalo", "/webhooks/webchat", "/webhooks/khong-co", "/webhooks/facebook/x"):
        response = client.post(path, data=b"{}", headers={"Content-Type": "application/json"})
        assert response.status_code == 404, path
        assert_secure(response)


def test_other_methods_and_the_web_chat_still_reach_the_app(site: Console) -> None:
    client = site.app.test_client()
    handshake = client.get("/webhooks/facebook", query_string={
        "hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"})
    assert (handshake.status_code, handshake.text) == (403, "verify token mismatch")
    assert client.get("/chat").status_code == 200
    telegram = client.post("/webhooks/telegram", data=b"{}", headers=telegram_headers(TELEGRAM_SECRET))
    assert telegram.status_code == 400 and telegram.text.startswith("bad request")


def test_a_webhook_skips_the_apps_request_hooks(site: Console) -> None:
    """The point of the fast path (issue 18): the console's session, login and catalogue hooks run
    for pages, not for a platform's webhook."""
    seen: list[str] = []
    site.app.before_request(lambda: seen.append(site.app.name) and None)
    client = site.app.test_client()
    body, headers = messenger()
    assert client.post("/webhooks/facebook", data=body, headers=headers).status_code == 200
    assert seen == []
    assert client.get("/healthz").status_code == 200
    assert seen == [site.app.name]


def test_a_failure_inside_is_a_logged_500_with_the_headers(site: Console, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """The database gone, say: a 500 the platform retries later, as the Flask app answered it."""
    def down(*_: Any) -> None:
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(site.pakn.processor, "accept", down)
    site.app.config["TESTING"] = False
    body, headers = messenger()
    with caplog.at_level(logging.ERROR, logger="bot.webhook_fastpath"):
        response = site.app.test_client().post("/webhooks/facebook", data=body, headers=headers)
    assert response.status_code == 500
    assert_secure(response)
    assert "database unreachable" in caplog.text
