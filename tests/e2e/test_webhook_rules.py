"""The webhook rules, over real HTTP: verify -> parse -> dedupe -> persist -> 200.

403 only for failed authentication, 400 only for unparseable bodies (with the reason), 413 for
oversize ones, 404 for a channel that is not configured, never a 5xx; a redelivered body is
processed once; echoes and receipts are acknowledged and never answered.
"""
from __future__ import annotations

import http.client
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from intake import messages as M
from intake.turns import Reply
from tests.conftest import (
    FACEBOOK_APP_SECRET,
    FACEBOOK_VERIFY_TOKEN,
    NO_CHANNEL_SECRETS,
    TELEGRAM_SECRET,
    ZALO_APP_ID,
    ZALO_SECRET,
    LiveApp,
    load_payload,
    start_live_app,
    wait_until,
)
from tests.e2e.citizens import Citizen, MessengerCitizen, ZaloCitizen, cases_of, next_id
from tests.e2e.conftest import CHANNELS
from tests.e2e.test_intake import filed_reply, run_intake_until_confirm
from tests.fakes.signing import compact, messenger_headers, telegram_headers, zalo_headers

PLATFORMS = ("telegram", "facebook", "zalo")
ONE_MIB = 1024 * 1024


def stored_rows(live: LiveApp) -> tuple[int, int]:
    """Inbound messages and conversations (outbound rows come and go with other tests' replies),
    once the workers have taken in every acknowledged event."""
    assert live.components.processor.wait_idle(10)
    inbound = live.query("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0]
    return int(inbound), live.count("conversations")


def post(live: LiveApp, platform: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{live.url}/webhooks/{platform}", data=body, headers=headers, timeout=10)


def text_body(platform: str, text: str = "Xin chào") -> bytes:
    """A valid message body of each platform from a new sender."""
    if platform == "telegram":
        update = load_payload("telegram", "text-start-official.json")
        update["update_id"] = next_id()
        update["message"].update(text=text, message_id=next_id())
        update["message"]["chat"]["id"] = update["message"]["from"]["id"] = next_id()
        return compact(update)
    if platform == "facebook":
        body = load_payload("messenger", "text-quick-reply-envelope-constructed.json")
        event = body["entry"][0]["messaging"][0]
        event["sender"]["id"] = str(next_id())
        event["message"] = {"mid": f"m_{next_id()}", "text": text}
        return compact(body)
    event = load_payload("zalo", "user-send-text-official.json")
    event["app_id"] = ZALO_APP_ID
    event["sender"]["id"] = str(next_id())
    event["message"] = {"text": text, "msg_id": f"{next_id():020x}"}
    return compact(event)


def signed(platform: str, body: bytes) -> dict[str, str]:
    if platform == "telegram":
        return telegram_headers(TELEGRAM_SECRET)
    if platform == "facebook":
        return messenger_headers(FACEBOOK_APP_SECRET, body)
    return zalo_headers(ZALO_SECRET, body)


# -- at-least-once delivery: the same body twice ------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_redelivered_confirmation_files_one_case_and_replies_once(
        channel: str, live_app: LiveApp, new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    run_intake_until_confirm(live_app, citizen)
    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    citizen.repeat_last()  # the platform did not see our 200 in time and retried
    citizen.repeat_last()
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    citizen.expect(filed_reply(live_app, case))
    citizen.say("gặp cán bộ")  # processed in order: a duplicate's reply would come before this one's
    citizen.expect(Reply(M.ESCALATED))
    assert len(cases_of(live_app, citizen)) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_concurrent_duplicates_are_stored_once(platform: str, live_app: LiveApp) -> None:
    body = text_body(platform, "Xin chào")
    headers = signed(platform, body)
    before = stored_rows(live_app)[0]
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        barrier.wait()
        statuses.append(post(live_app, platform, body, headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert stored_rows(live_app)[0] == before + 1


# -- authentication ------------------------------------------------------------------------------


def bad_signatures(platform: str, body: bytes) -> list[dict[str, str]]:
    other = body.replace(b"Xin", b"Xim")
    if platform == "telegram":
        return [telegram_headers(None), telegram_headers("wrong-secret"),
                telegram_headers(TELEGRAM_SECRET + "x"), telegram_headers("")]
    if platform == "facebook":
        return [messenger_headers(None, body), messenger_headers("wrong_secret", body),
                messenger_headers(FACEBOOK_APP_SECRET, other),  # signature of another body
                {"Content-Type": "application/json",  # only the legacy sha1 header
                 "X-Hub-Signature": messenger_headers(FACEBOOK_APP_SECRET, body)["X-Hub-Signature"]},
                {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256="}]
    return [zalo_headers(None, body), zalo_headers("wrong_secret", body), zalo_headers(ZALO_SECRET, other),
            {"Content-Type": "application/json", "X-ZEvent-Signature": "mac="},
            {"Content-Type": "application/json", "X-ZEvent-Signature": garbled(zalo_headers(ZALO_SECRET, body))}]


def garbled(headers: dict[str, str]) -> str:
    """The right signature with its last hex digit changed."""
    signature = headers["X-ZEvent-Signature"]
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_wrong_or_missing_signature_is_403_and_stores_nothing(platform: str, live_app: LiveApp) -> None:
    body = text_body(platform)
    before = stored_rows(live_app)
    for headers in bad_signatures(platform, body):
        response = post(live_app, platform, body, headers)
        assert response.status_code == 403, (headers, response.text)
    assert stored_rows(live_app) == before
    assert post(live_app, platform, body, signed(platform, body)).status_code == 200  # the same body, signed
    assert stored_rows(live_app)[0] == before[0] + 1


def test_a_zalo_event_signed_for_another_app_id_is_403(live_app: LiveApp) -> None:
    event = load_payload("zalo", "user-send-text-official.json")
    event["app_id"] = "1234567890"
    event["message"]["msg_id"] = f"{next_id():020x}"
    body = compact(event)
    before = stored_rows(live_app)
    assert post(live_app, "zalo", body, zalo_headers(ZALO_SECRET, body)).status_code == 403
    assert stored_rows(live_app) == before


def test_the_zalo_mac_prefix_is_optional(live_app: LiveApp) -> None:
    body = text_body("zalo", "gặp cán bộ")
    headers = zalo_headers(ZALO_SECRET, body)
    headers["X-ZEvent-Signature"] = headers["X-ZEvent-Signature"].removeprefix("mac=")
    assert post(live_app, "zalo", body, headers).status_code == 200


# -- bodies that are not what the platform sends -------------------------------------------------


MALFORMED = [b"", b"{", b"not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"null", b'"text"', b"42"]
WRONG_SHAPE = {
    "telegram": [({"message": {"text": "hi"}}, "update_id"),
                 ({"update_id": 1, "message": {"text": "no chat"}}, "chat"),
                 ({"update_id": 2, "callback_query": {"id": "1", "data": "/confirm"}}, "from")],
    "facebook": [({"object": "user", "entry": []}, "page"), ({"object": "page"}, "entry"),
                 ({"object": "page", "entry": ["x"]}, "entry"),
                 ({"object": "page", "entry": [{"messaging": [{"message": {"text": "hi"}}]}]}, "sender")],
    "zalo": [({"app_id": ZALO_APP_ID, "timestamp": "1"}, "event_name"),
             ({"app_id": ZALO_APP_ID, "timestamp": "1", "event_name": "user_send_text",
               "message": {"text": "no sender"}}, "sender")],
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_malformed_json_is_400_with_a_reason(platform: str, live_app: LiveApp) -> None:
    before = stored_rows(live_app)
    for body in MALFORMED:
        headers = signed(platform, b"{}") if platform == "zalo" else signed(platform, body)
        response = post(live_app, platform, body, headers)
        assert response.status_code == 400, (body, response.status_code, response.text)
        assert "JSON" in response.text, response.text
    assert stored_rows(live_app) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_body_of_the_wrong_shape_is_400_with_a_reason(platform: str, live_app: LiveApp) -> None:
    before = stored_rows(live_app)
    for document, reason in WRONG_SHAPE[platform]:
        body = compact(document)
        response = post(live_app, platform, body, signed(platform, body))
        assert response.status_code == 400, (document, response.text)
        assert reason in response.text and response.text.startswith("bad request"), response.text
    assert stored_rows(live_app) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_body_over_1_mib_is_413(platform: str, live_app: LiveApp) -> None:
    document = {"update_id": next_id(), "object": "page", "event_name": "user_send_text",
                "padding": "x" * ONE_MIB}
    body = compact(document)
    before = stored_rows(live_app)
    response = post(live_app, platform, body, signed(platform, body))
    assert response.status_code == 413
    chunked = post(live_app, platform, iter([body[:ONE_MIB // 2], body[ONE_MIB // 2:]]),  # type: ignore[arg-type]
                   signed(platform, body))
    assert chunked.status_code == 413  # no Content-Length: the limit must hold all the same
    assert stored_rows(live_app) == before


def test_a_content_length_over_1_mib_is_refused_before_the_body_is_read(live_app: LiveApp) -> None:
    """A client announcing 2 MiB gets 413 without the server waiting for 2 MiB to arrive."""
    url = urllib.parse.urlsplit(live_app.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    connection.putrequest("POST", "/webhooks/telegram")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET)
    connection.putheader("Content-Length", str(2 * ONE_MIB))
    connection.endheaders()
    connection.send(b'{"update_id": 1, "padding": "')
    assert connection.getresponse().status == 413
    connection.close()


def test_web_chat_input_rules(live_app: LiveApp) -> None:
    browser = requests.Session()
    url = f"{live_app.url}/chat/api/messages"
    assert browser.post(url, data="text=hi", headers={"Content-Type": "application/x-www-form-urlencoded"},
                        timeout=10).status_code == 415  # a cross-site form post
    for document, reason in [({"text": "hi"}, "client_message_id"),
                             ({"client_message_id": "short", "text": "hi"}, "client_message_id"),
                             ({"client_message_id": "abcdefgh1", "text": 5}, "strings"),
                             ({"client_message_id": "abcdefgh2", "text": "  "}, "empty"),
                             ({"client_message_id": "abcdefgh3", "text": "x" * 4001}, "longer")]:
        response = browser.post(url, json=document, timeout=10)
        assert response.status_code == 400 and reason in response.json()["error"], response.text
    assert browser.post(url, data=b"{", headers={"Content-Type": "application/json"},
                        timeout=10).status_code == 400
    big = b'{"client_message_id": "abcdefgh4", "text": "' + b"x" * ONE_MIB + b'"}'
    assert browser.post(url, data=big, headers={"Content-Type": "application/json"},
                        timeout=10).status_code == 413
    assert browser.get(url, params={"after": "x"}, timeout=10).status_code == 400


# -- Messenger's GET handshake ---------------------------------------------------------------------


def test_messenger_subscription_handshake(live_app: LiveApp) -> None:
    url = f"{live_app.url}/webhooks/facebook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY_TOKEN,
                                   "hub.challenge": "1158201444"}, timeout=10)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock",
                                      "hub.challenge": "1158201444"}, timeout=10)
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    other_mode = requests.get(url, params={"hub.mode": "unsubscribe", "hub.challenge": "1",
                                           "hub.verify_token": FACEBOOK_VERIFY_TOKEN}, timeout=10)
    assert other_mode.status_code == 403
    for params in ({}, {"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY_TOKEN},
                   {"hub.mode": "subscribe", "hub.challenge": "1"},
                   {"hub.verify_token": FACEBOOK_VERIFY_TOKEN, "hub.challenge": "1"}):
        response = requests.get(url, params=params, timeout=10)
        assert response.status_code == 400 and "missing" in response.text, params


# -- events that are acknowledged and never answered ----------------------------------------------


def test_messenger_echoes_and_receipts_get_200_and_no_reply(live_app: LiveApp,
                                                           new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("facebook")
    assert isinstance(citizen, MessengerCitizen)
    echo = load_payload("messenger", "echo-constructed.json")
    echo["entry"][0]["messaging"][0]["recipient"]["id"] = citizen.sender_id
    echo["entry"][0]["messaging"][0]["message"]["mid"] = f"m_echo_{next_id()}"
    delivery = load_payload("messenger", "delivery-fbmessenger-fixture.json")
    read = {"object": "page", "entry": [{"id": citizen.page_id, "time": 1458668856463,
                                         "messaging": [load_payload("messenger", "read-official-event.json")]}]}
    reaction = {"object": "page", "entry": [{"id": citizen.page_id, "time": 1, "messaging": [
        {"sender": {"id": citizen.sender_id}, "recipient": {"id": citizen.page_id}, "timestamp": 2,
         "reaction": {"mid": "m_x", "action": "react", "emoji": "👍", "reaction": "like"}}]}]}
    for body in (echo, delivery, read, reaction):
        for event in body["entry"][0]["messaging"]:
            event["sender"]["id"] = citizen.sender_id if "reaction" in event or "read" in event \
                else event["sender"]["id"]
    before = stored_rows(live_app)
    for document in (echo, delivery, read, reaction):
        response = citizen.send_body(document)
        assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert stored_rows(live_app) == before
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))  # the only thing this person was ever sent


def test_zalo_oa_echoes_receipts_and_follows_get_200_and_no_reply(
        live_app: LiveApp, new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("zalo")
    assert isinstance(citizen, ZaloCitizen)
    echo = load_payload("zalo", "oa-send-text-testtool.json")
    echo["recipient"]["id"] = citizen.sender_id
    received = load_payload("zalo", "user-received-message-constructed.json")
    received["recipient"]["id"] = citizen.sender_id
    follow = load_payload("zalo", "follow-constructed.json")
    follow["follower"]["id"] = citizen.sender_id
    seen = {"app_id": ZALO_APP_ID, "event_name": "user_seen_message", "timestamp": "1743908536000",
            "sender": {"id": "388613280878808645"}, "recipient": {"id": citizen.sender_id},
            "message": {"msg_ids": ["a1b2c3d4e5f60718293a"]}}
    before = stored_rows(live_app)
    for event in (echo, received, follow, seen):
        event["app_id"] = ZALO_APP_ID
        response = citizen.send_event(event)
        assert response.status_code == 200
    assert stored_rows(live_app) == before
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))


def test_telegram_edits_and_group_messages_get_200_and_no_reply(
        live_app: LiveApp, new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("telegram")
    edited = load_payload("telegram", "edited-message-official.json")
    edited["update_id"] = next_id()
    edited["edited_message"]["chat"]["id"] = citizen.chat_id  # type: ignore[attr-defined]
    group = citizen.update("gặp cán bộ")  # type: ignore[attr-defined]
    group["message"]["chat"]["type"] = "group"
    before = stored_rows(live_app)
    for update in (edited, group):
        assert citizen.send_update(update).status_code == 200  # type: ignore[attr-defined]
    assert stored_rows(live_app) == before
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))


# -- a channel whose secrets are not set ----------------------------------------------------------


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory, nlu_models_dir: Path) -> Iterator[LiveApp]:
    live = start_live_app(tmp_path_factory.mktemp("bare"), nlu_models_dir, NO_CHANNEL_SECRETS)
    yield live
    live.stop()


def test_a_channel_whose_secrets_are_unset_answers_404(bare_app: LiveApp) -> None:
    for platform in PLATFORMS:
        body = text_body(platform)
        response = post(bare_app, platform, body, signed(platform, body))
        assert response.status_code == 404, platform
        assert f"channel {platform} is not enabled" in response.text
    handshake = requests.get(f"{bare_app.url}/webhooks/facebook",
                             params={"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY_TOKEN,
                                     "hub.challenge": "1"}, timeout=10)
    assert handshake.status_code == 404
    assert post(bare_app, "slack", b"{}", {"Content-Type": "application/json"}).status_code == 404
    assert stored_rows(bare_app) == (0, 0)
    health: dict[str, Any] = requests.get(f"{bare_app.url}/healthz", timeout=10).json()
    assert health["channels"] == ["webchat"]


# -- acknowledging must not wait for anything slow ------------------------------------------------


# The dispatcher claims rows in a short transaction and calls the platform outside any (it used to
# hold SQLite's write lock across channel.send, so record() waited for a slow platform API).
def test_a_slow_platform_api_does_not_delay_acknowledging(live_app: LiveApp, fake_zalo: Any,
                                                         new_citizen: Callable[[str], Citizen]) -> None:
    import time

    from tests.fakes import CannedResponse

    fake_zalo.enqueue(CannedResponse(200, {"error": 0, "message": "Success", "data": {"message_id": "slow"}},
                                     delay=2.0, path_suffix="/cs"))
    first = new_citizen("zalo")
    first.say("gặp cán bộ")  # its reply is the next send: the fake API takes 2 s to answer it
    wait_until(lambda: fake_zalo.pending_script == 0, message="the slow send started")
    second = new_citizen("zalo")
    started = time.perf_counter()
    second.say("gặp cán bộ")
    assert time.perf_counter() - started < 1.0
