"""Property: whatever a client posts to a webhook, signed or not, the answer is never a 5xx; a
correctly signed body is never a 403 (so a verify() refusing everything fails here), and a
well-formed message is kept (cleaned) or refused with the reason, on SQLite and PostgreSQL.

Bodies come from tests/strategies.py; tests/unit/test_webhook_parsing.py runs the same bodies
through the parsers alone, many more of them, since that is where a crash would come from.
"""
from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.base import MESSAGE_ID_LIMIT, SENDER_ID_LIMIT, BadPayload, checked_id, clean_text
from tests.conftest import FACEBOOK_APP_SECRET, TELEGRAM_SECRET, ZALO_SECRET, LiveApp
from tests.fakes.signing import messenger_headers, telegram_headers, zalo_signature
from tests.strategies import any_text, bodies, examples, hostile_messages, json_values, signed_bodies

FUZZ = settings(max_examples=examples(60), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def signed_headers(platform: str, body: bytes) -> dict[str, str]:
    if platform == "telegram":
        return telegram_headers(TELEGRAM_SECRET)
    if platform == "facebook":
        return messenger_headers(FACEBOOK_APP_SECRET, body)
    try:
        document = json.loads(body)
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    app_id, timestamp = str(document.get("app_id", "")), str(document.get("timestamp", ""))
    try:
        signature = zalo_signature(app_id, body, timestamp, ZALO_SECRET)
    except UnicodeEncodeError:  # a lone surrogate in app_id: no signature exists (the app says 400)
        signature = zalo_signature("", body, "", ZALO_SECRET)
    return {"Content-Type": "application/json", "X-ZEvent-Signature": signature}


def unsigned_headers(platform: str, body: bytes, variant: int) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if variant == 1:  # a wrong credential in the right header
        name = {"telegram": "X-Telegram-Bot-Api-Secret-Token", "facebook": "X-Hub-Signature-256",
                "zalo": "X-ZEvent-Signature"}[platform]
        headers[name] = {"telegram": "nope", "facebook": "sha256=" + "0" * 64, "zalo": "mac=" + "0" * 64}[platform]
    return headers


@pytest.mark.parametrize("platform", ["telegram", "facebook", "zalo"])
@FUZZ
@given(data=st.data())
def test_a_signed_body_is_never_refused_as_unsigned_nor_a_5xx(platform: str, live_app_on: LiveApp,
                                                              data: st.DataObject) -> None:
    body = data.draw(signed_bodies(platform), label="body")
    response = requests.post(f"{live_app_on.url}/webhooks/{platform}", data=body,
                             headers=signed_headers(platform, body), timeout=10)
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    if response.status_code == 400:
        assert response.text.startswith("bad request: "), response.text[:300]


HOSTILE = settings(FUZZ, max_examples=examples(40))


@pytest.mark.parametrize("platform", ["telegram", "facebook", "zalo"])
@HOSTILE
@given(data=st.data())
def test_a_signed_hostile_message_is_kept_cleaned_or_refused_with_the_reason(
        platform: str, live_app_on: LiveApp, data: st.DataObject) -> None:
    body, sender, message_id, text = data.draw(hostile_messages(platform), label="message")
    kept = keepable(sender, SENDER_ID_LIMIT) and keepable(message_id, MESSAGE_ID_LIMIT)
    sql = ("SELECT m.text, c.sender_id FROM messages m JOIN conversations c"
           " ON c.id = m.conversation_id WHERE m.channel = :c AND m.platform_message_id = :m")
    # An id an earlier example (or test) used: the platform's retry, deduplicated.
    seen = live_app_on.query(sql, c=platform, m=message_id) if kept else []
    response = requests.post(f"{live_app_on.url}/webhooks/{platform}", data=body,
                             headers=signed_headers(platform, body), timeout=10)
    if not kept:  # an id we cannot keep, said so
        assert response.status_code == 400, (response.status_code, response.text[:300])
        assert response.text.startswith("bad request: ") and "id" in response.text, response.text
        return
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert live_app_on.components.processor.wait_idle(10)  # the workers took it in
    (row,) = live_app_on.query(sql, c=platform, m=message_id)
    if not seen:  # kept whole: the sender as sent, the text without what cannot be stored
        assert (row.sender_id, row.text) == (sender, clean_text(text))


def keepable(value: str, limit: int) -> bool:
    try:
        checked_id(value, "id", limit)
    except BadPayload:
        return False
    return True


@pytest.mark.parametrize("platform", ["telegram", "facebook", "zalo"])
@FUZZ
@given(data=st.data())
def test_an_unsigned_body_never_gets_a_5xx(platform: str, live_app: LiveApp, data: st.DataObject) -> None:
    body = data.draw(bodies(platform), label="body")
    variant = data.draw(st.sampled_from([0, 1]), label="credential")
    response = requests.post(f"{live_app.url}/webhooks/{platform}", data=body,
                             headers=unsigned_headers(platform, body, variant), timeout=10)
    # Zalo's signature covers fields of the body, so a body that does not parse is a 400 there.
    allowed = (400, 403) if platform == "zalo" else (403,)
    assert response.status_code in allowed, (response.status_code, response.text[:300])


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                      st.fixed_dictionaries({"client_message_id": any_text, "text": json_values,
                                             "payload": json_values}).map(lambda v: json.dumps(v).encode())))
def test_web_chat_never_gets_a_5xx(live_app: LiveApp, body: bytes) -> None:
    response = requests.post(f"{live_app.url}/chat/api/messages", data=body,
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code in (202, 400), (response.status_code, response.text[:300])
