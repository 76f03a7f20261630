"""Telegram: the secret-token check, every sample update, and send() against a fake Bot API."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from werkzeug.datastructures import Headers

from channels.base import Attachment, BadPayload, ChannelError, IncomingMessage, OutgoingMessage, QuickReply
from channels.telegram import TelegramChannel, parse_update
from tests.conftest import ROOT, load_payload
from tests.fakes import FakeTelegram

TOKEN, SECRET = "42:unit-token", "unit_secret-1"
SAMPLES = sorted(p.name for p in (ROOT / "tests" / "payloads" / "telegram").glob("*.json")
                 if not p.name.startswith("api-"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def channel(fake: FakeTelegram) -> TelegramChannel:
    fake.reset()
    return TelegramChannel(TOKEN, SECRET, fake.url, timeout=0.5)


# -- verify -----------------------------------------------------------------------------------------


def test_the_secret_token_header_must_match_exactly(channel: TelegramChannel) -> None:
    assert channel.verify({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"{}")
    for given in (None, "", SECRET + " ", SECRET.upper(), SECRET[:-1], "x" * 256):
        headers = {} if given is None else {"X-Telegram-Bot-Api-Secret-Token": given}
        assert not channel.verify(headers, b"{}"), given


def test_the_header_name_is_case_insensitive_as_http_says(channel: TelegramChannel) -> None:
    assert channel.verify(Headers([("x-telegram-bot-api-secret-token", SECRET)]), b"{}")


# -- parse --------------------------------------------------------------------------------------------


EXPECTED: dict[str, Any] = {
    # the official samples lack from.is_bot (PTB's de_json would raise): read as dicts, they parse
    "text-start-official.json": dict(sender_id="1111111", message_id="10000", text="/start",
                                     sender_name="Test Firstname Test Lastname",
                                     received_at=datetime(2015, 9, 7, 17, 5, 32, tzinfo=timezone.utc)),
    "text-start-official-no-chat-type.json": dict(sender_id="1111111", text="/start",
                                                  sender_name="Test Test Lastname"),
    "edited-message-official.json": None,  # edits are not new messages
    "edited-message-rasa.json": None,
    "callback-query-official.json": dict(sender_id="1111111", text="", payload="Data from button callback",
                                         reply_token="cb:4382bfdwdsb323b2d9"),
    "callback-query-inline-keyboard-real.json": dict(sender_id="259760855", message_id="226394498",
                                                     payload="tasks-settings",
                                                     reply_token="cb:1115664380233733737",
                                                     sender_name="Shahrad Elahi"),
    "photo-chatwoot.json": dict(sender_id="23", text="", attachments=(Attachment("image", data={
        "file_id": "AgACAgUAAxkBAAODYV3aGZlD6vhzKsE2WNmblsr6zKwAAi-tMRvCoeBWNQ1ENVBzJdwBAAMCAANzAAMhBA"}),)),
    "photo-with-caption-constructed.json": dict(text="Đường Nguyễn Trãi có ổ gà lớn trước số 123"),
    "location-constructed.json": dict(sender_id="108734", attachments=(
        Attachment("location", data={"longitude": 127.479471, "latitude": 26.090577}),)),
    "contact-constructed.json": dict(sender_id="8633", text="00011111111"),
}


def test_every_sample_payload_has_an_expectation() -> None:
    assert sorted(EXPECTED) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_payloads_parse(name: str, channel: TelegramChannel) -> None:
    update = load_payload("telegram", name)
    from tests.fakes.signing import compact

    parsed = channel.parse(compact(update))
    expected = EXPECTED[name]
    if expected is None:
        assert parsed == []
        return
    (message,) = parsed
    assert isinstance(message, IncomingMessage)
    assert message.channel == "telegram" and message.raw == update
    assert message.message_id == str(update["update_id"])  # the dedupe key
    for field, value in expected.items():
        assert getattr(message, field) == value, field


def test_group_chats_are_ignored() -> None:
    update = load_payload("telegram", "text-start-official.json")
    update["message"]["chat"]["type"] = "supergroup"
    assert parse_update(update) is None


@pytest.mark.parametrize("update, reason", [
    ({}, "update_id"), ({"message": {}}, "update_id"),
    ({"update_id": 1, "message": {"text": "x"}}, "chat.id"),
    ({"update_id": 1, "callback_query": {"data": "x"}}, "from.id"),
    ({"update_id": 1, "message": {"chat": {"id": 1}, "text": {"a": 1}}}, "not a string"),
])
def test_wrong_shapes_are_bad_payloads(update: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadPayload, match=reason):
        parse_update(update)


def test_an_impossible_date_does_not_raise() -> None:
    update = load_payload("telegram", "text-start-official.json")
    for date in (10**20, -(10**20), "soon", [1]):
        update["message"]["date"] = date
        message = parse_update(update)
        assert message is not None and message.received_at.tzinfo is not None


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b"\xff", b'{"update_id": 1, "x": "\\ud800"}'])
def test_bodies_that_are_not_json_objects(body: bytes, channel: TelegramChannel) -> None:
    with pytest.raises(BadPayload, match="JSON"):
        channel.parse(body)


# -- send ---------------------------------------------------------------------------------------------


def test_quick_replies_become_an_inline_keyboard(channel: TelegramChannel, fake: FakeTelegram) -> None:
    result = channel.send(OutgoingMessage("1111111", "Gửi phản ánh này?",
                                          (QuickReply("Xác nhận gửi", "/confirm"), QuickReply("Hủy", "/cancel"))))
    (request,) = fake.wait_for(1)
    assert (request.method, request.path) == ("POST", f"/bot{TOKEN}/sendMessage")
    assert request.content_type.startswith("application/x-www-form-urlencoded")
    assert request.body == {"chat_id": "1111111", "text": "Gửi phản ánh này?", "reply_markup": {
        "inline_keyboard": [[{"text": "Xác nhận gửi", "callback_data": "/confirm"}],
                            [{"text": "Hủy", "callback_data": "/cancel"}]]}}
    assert result.platform_message_id is not None and result.platform_message_id.isdigit()


def test_a_long_text_is_split_and_the_keyboard_goes_on_the_last_part(channel: TelegramChannel,
                                                                       fake: FakeTelegram) -> None:
    text = ("Câu văn dài. " * 400).strip()  # ~5200 characters, over the 4096 limit
    channel.send(OutgoingMessage("7", text, (QuickReply("Hủy", "/cancel"),)))
    first, second = fake.wait_for(2)
    assert len(first.body["text"]) <= 4096 and "reply_markup" not in first.body
    assert second.body["reply_markup"] == {"inline_keyboard": [[{"text": "Hủy", "callback_data": "/cancel"}]]}
    assert (first.body["text"] + " " + second.body["text"]) == text


def test_a_reply_to_a_button_answers_the_callback_first(channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.enqueue(FakeTelegram.chat_not_found("/answerCallbackQuery"))  # too old: must not stop the reply
    channel.send(OutgoingMessage("7", "Đã nhận", reply_to="cb:4382bfdwdsb323b2d9"))
    answer, send = fake.wait_for(2)
    assert (answer.endpoint, answer.body) == ("answerCallbackQuery", {"callback_query_id": "4382bfdwdsb323b2d9"})
    assert (send.endpoint, send.body) == ("sendMessage", {"chat_id": "7", "text": "Đã nhận"})


def test_the_bot_api_is_called_with_the_token_in_the_path(fake: FakeTelegram) -> None:
    fake.reset()
    wrong = TelegramChannel("41:other", SECRET, fake.url, timeout=0.5)
    with pytest.raises(ChannelError) as error:
        wrong.send(OutgoingMessage("7", "x"))
    assert not error.value.permanent and error.value.code == "401"  # a config error: fixable, retry


@pytest.mark.parametrize("canned, permanent, retry_after, code", [
    (FakeTelegram.too_many_requests(3), False, 3.0, "429"),
    (FakeTelegram.blocked(), True, None, "403"),
    (FakeTelegram.chat_not_found(), True, None, "400"),
    (FakeTelegram.server_error(), False, None, None),
])
def test_send_errors_are_mapped_to_permanent_or_retryable(
        canned: Any, permanent: bool, retry_after: float | None, code: str | None,
        channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.enqueue(canned)
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("7", "x"))
    assert (error.value.permanent, error.value.retry_after, error.value.code) == (permanent, retry_after, code)
    assert error.value.throttled is (code == "429")  # slowing down is not failing
    assert channel.send(OutgoingMessage("7", "y")).platform_message_id  # the next one goes through


def test_a_429_is_for_its_chat_until_another_chat_gets_one_too(channel: TelegramChannel,
                                                                fake: FakeTelegram) -> None:
    fake.enqueue(FakeTelegram.too_many_requests(5), FakeTelegram.too_many_requests(5),
                 FakeTelegram.too_many_requests(5))
    scopes = []
    for chat in ("7", "7", "8"):  # the same chat again is still that chat; a second chat: a flood
        with pytest.raises(ChannelError) as error:
            channel.send(OutgoingMessage(chat, "x"))
        scopes.append(error.value.scope)
    assert scopes == ["chat", "chat", "platform"]


def test_a_timeout_is_retryable(channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.enqueue(FakeTelegram.timeout(3))
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("7", "x"))
    assert not error.value.permanent and "Timed" in error.value.reason


def test_an_unreachable_api_is_retryable() -> None:
    channel = TelegramChannel(TOKEN, SECRET, "http://127.0.0.1:9", timeout=0.5)  # nothing listens on 9
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("7", "x"))
    assert not error.value.permanent
