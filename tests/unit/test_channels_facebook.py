"""Messenger: X-Hub-Signature-256 against channels.md §4, every sample event, the Send API errors."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from werkzeug.datastructures import Headers

from channels.base import (
    Attachment,
    BadPayload,
    ChannelError,
    IncomingMessage,
    OutgoingMessage,
    QuickReply,
    StatusEvent,
)
from channels.facebook import FacebookChannel, parse_event
from tests.conftest import ROOT, load_payload
from tests.fakes import FakeGraph
from tests.fakes.signing import compact, messenger_sha1_signature, messenger_signature

PAGE_TOKEN = "unit-page-token"
# channels.md §4: the compact UTF-8 JSON of text-quick-reply-envelope-constructed.json
VECTOR_BODY = ('{"object":"page","entry":[{"id":"117172741761305","time":1458692752500,"messaging":[{"sender":'
               '{"id":"3383290475046708"},"recipient":{"id":"117172741761305"},"timestamp":1458692752478,'
               '"message":{"mid":"mid.1457764197618:41d102a3e1ae206a38","text":"Giao thông","quick_reply":'
               '{"payload":"CATEGORY_TRAFFIC"}}}]}]}').encode("utf-8")
VECTOR_SHA256 = "sha256=5495bff0139d20c6fb9ddb473f7a16a6439d2bb96f512f3b6ad58f65d043e908"
VECTOR_SHA1 = "sha1=1400b14feb1774161e7436c8ce00f868690f3e2e"
SAMPLES = sorted(p.name for p in (ROOT / "tests" / "payloads" / "messenger").glob("*.json")
                 if not p.name.startswith("api-"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGraph]:
    with FakeGraph(PAGE_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def channel(fake: FakeGraph) -> FacebookChannel:
    fake.reset()
    return FacebookChannel("test_app_secret", "verify-me", PAGE_TOKEN, fake.url + "/v21.0", timeout=0.5)


# -- verify -----------------------------------------------------------------------------------------


def test_the_section_4_vector_is_the_sample_payload() -> None:
    assert compact(load_payload("messenger", "text-quick-reply-envelope-constructed.json")) == VECTOR_BODY
    assert messenger_signature("test_app_secret", VECTOR_BODY) == VECTOR_SHA256
    assert messenger_sha1_signature("test_app_secret", VECTOR_BODY) == VECTOR_SHA1


def test_the_section_4_vector_verifies(channel: FacebookChannel) -> None:
    assert channel.verify({"X-Hub-Signature-256": VECTOR_SHA256}, VECTOR_BODY)
    assert channel.verify(Headers([("x-hub-signature-256", VECTOR_SHA256)]), VECTOR_BODY)


@pytest.mark.parametrize("headers, body", [
    ({}, VECTOR_BODY),
    ({"X-Hub-Signature": VECTOR_SHA1}, VECTOR_BODY),  # the legacy sha1 header alone is not enough
    ({"X-Hub-Signature-256": VECTOR_SHA256.upper()}, VECTOR_BODY),
    ({"X-Hub-Signature-256": VECTOR_SHA256[len("sha256="):]}, VECTOR_BODY),  # no "sha256=" prefix
    ({"X-Hub-Signature-256": VECTOR_SHA256}, VECTOR_BODY + b" "),  # the raw bytes, not the JSON, are signed
    ({"X-Hub-Signature-256": VECTOR_SHA256}, VECTOR_BODY.replace("Giao thông".encode(), b"Giao th\\u00f4ng")),
    ({"X-Hub-Signature-256": ""}, VECTOR_BODY),
])
def test_anything_but_the_exact_signature_fails(headers: dict[str, str], body: bytes,
                                                channel: FacebookChannel) -> None:
    assert not channel.verify(headers, body)


def test_the_subscription_handshake(channel: FacebookChannel) -> None:
    assert channel.check_subscription("subscribe", "verify-me")
    assert not channel.check_subscription("subscribe", "verify-me ")
    assert not channel.check_subscription("unsubscribe", "verify-me")
    assert not channel.check_subscription(None, None)


# -- parse --------------------------------------------------------------------------------------------


def envelope(*events: dict[str, Any]) -> bytes:
    return compact({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": list(events)}]})


def as_envelope(name: str) -> bytes:
    """Samples come as a full body, an entry, a single event or a Graph test notification."""
    document = load_payload("messenger", name)
    if "object" in document:
        return compact(document)
    if "messaging" in document and isinstance(document["messaging"], list):
        return compact({"object": "page", "entry": [document]})
    if "messaging" in document:  # Chatwoot's factory: one event under "messaging"
        return envelope(document["messaging"])
    if "value" in document:  # {"field": "messaging_postbacks", "value": <event>}
        return envelope(document["value"])
    return envelope(document)


EXPECTED: dict[str, Any] = {
    "text-fbmessenger-fixture.json": dict(sender_id="1234", message_id="mid.1457764197618:41d102a3e1ae206a38",
                                          text="hello, world!", payload=None),
    "text-quick-reply-envelope-constructed.json": dict(sender_id="3383290475046708", text="Giao thông",
                                                       payload="CATEGORY_TRAFFIC"),
    "text-quick-reply-official-event.json": dict(sender_id="<PSID>", payload="<DEVELOPER_DEFINED_PAYLOAD>"),
    "chatwoot-incoming-text-factory.json": dict(sender_id="3383290475046708", text="facebook message"),
    "attachment-official-entry.json": dict(message_id="mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", text="",
                                           attachments=(Attachment("<image|video|audio|file>", "<ATTACHMENT_URL>"),)),
    "image-attachment-envelope-constructed.json": dict(
        text="", attachments=(Attachment("image", "https://scontent.example.invalid/photo.jpg"),)),
    # without a postback.mid (before v11.0) the dedupe key is built from sender, time and payload
    "postback-fbmessenger-fixture.json": dict(sender_id="1234", message_id="1234:1457764197627:USER_DEFINED_PAYLOAD",
                                              payload="USER_DEFINED_PAYLOAD", text=""),
    "postback-official-notification.json": None,  # sender is a user_ref, not a PSID: nobody to answer
    "echo-constructed.json": None,  # our own message coming back: never answer it
    "delivery-fbmessenger-fixture.json": StatusEvent("facebook", "1234", "delivered",
                                                     ("mid.1458668856218:ed81099e15d3f4f233",)),
    "delivery-official-event.json": StatusEvent("facebook", "<PSID>", "delivered",
                                                ("mid.1458668856218:ed81099e15d3f4f233",)),
    "read-official-event.json": StatusEvent("facebook", "<PSID>", "read"),
}


def test_every_sample_payload_has_an_expectation() -> None:
    assert sorted(EXPECTED) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_payloads_parse(name: str, channel: FacebookChannel) -> None:
    parsed = channel.parse(as_envelope(name))
    expected = EXPECTED[name]
    if expected is None:
        assert parsed == []
    elif isinstance(expected, StatusEvent):
        (event,) = parsed
        assert isinstance(event, StatusEvent)
        assert (event.channel, event.sender_id, event.kind, event.message_ids) == (
            expected.channel, expected.sender_id, expected.kind, expected.message_ids)
        assert event.watermark is not None and event.watermark.year == 2016
    else:
        (message,) = parsed
        assert isinstance(message, IncomingMessage) and message.channel == "facebook"
        for field, value in expected.items():
            assert getattr(message, field) == value, field


def test_batched_entries_and_standby_events_are_all_read(channel: FacebookChannel) -> None:
    event = load_payload("messenger", "text-quick-reply-official-event.json")
    body = compact({"object": "page", "entry": [
        {"id": "1", "time": 1, "messaging": [dict(event, message={"mid": "m1", "text": "a"}),
                                             dict(event, message={"mid": "m2", "text": "b"})]},
        {"id": "1", "time": 2, "standby": [dict(event, message={"mid": "m3", "text": "c"})]}]})
    assert [m.message_id for m in channel.parse(body)] == ["m1", "m2", "m3"]


@pytest.mark.parametrize("document, reason", [
    ({"object": "instagram", "entry": []}, "object=page"), ({"object": "page"}, "entry"),
    ({"object": "page", "entry": [1]}, "entry"), ({"object": "page", "entry": [{"messaging": [{}]}]}, "sender"),
])
def test_wrong_shapes_are_bad_payloads(document: dict[str, Any], reason: str, channel: FacebookChannel) -> None:
    with pytest.raises(BadPayload, match=reason):
        channel.parse(compact(document))


def test_a_non_string_payload_reaches_the_dialogue_as_a_string() -> None:
    event = {"sender": {"id": "1"}, "timestamp": 1, "message": {"mid": "m", "text": "x", "quick_reply": {"payload": 5}}}
    message = parse_event(event)
    assert isinstance(message, IncomingMessage) and message.payload == "5"


# -- send ---------------------------------------------------------------------------------------------


def test_the_send_api_request(channel: FacebookChannel, fake: FakeGraph) -> None:
    result = channel.send(OutgoingMessage("3383290475046708", "Gửi phản ánh này?", (
        QuickReply("Xác nhận gửi", "/confirm"), QuickReply("Một lựa chọn có tiêu đề rất dài", "/x"))))
    (request,) = fake.wait_for(1)
    assert (request.method, request.path, request.query) == ("POST", "/v21.0/me/messages",
                                                             {"access_token": PAGE_TOKEN})
    assert request.content_type == "application/json"
    assert request.body == {"recipient": {"id": "3383290475046708"}, "messaging_type": "RESPONSE", "message": {
        "text": "Gửi phản ánh này?",
        "quick_replies": [{"content_type": "text", "title": "Xác nhận gửi", "payload": "/confirm"},
                          {"content_type": "text", "title": "Một lựa chọn có tiê…", "payload": "/x"}]}}
    assert result.platform_message_id == "m_fake000001"


def test_long_texts_and_many_quick_replies_fit_the_limits(channel: FacebookChannel, fake: FakeGraph) -> None:
    replies = tuple(QuickReply(f"Lựa chọn {n}", f"/p{n}") for n in range(20))
    channel.send(OutgoingMessage("1", "Một câu. " * 300, replies))
    first, second = fake.wait_for(2)
    assert len(first.body["message"]["text"]) <= 2000 and "quick_replies" not in first.body["message"]
    assert len(second.body["message"]["quick_replies"]) == 13


@pytest.mark.parametrize("canned, permanent, throttled", [
    (FakeGraph.user_unavailable(), True, False),  # 551/1545041: blocked the page or deactivated
    (FakeGraph.outside_window(), True, False),  # 10/2018278: outside the 24 h window
    (FakeGraph.invalid_token(), True, False),  # 190
    (FakeGraph.rate_limited(), False, True),  # 613: slow down the Page, not a failure
    (FakeGraph.too_many_requests(), False, True),  # HTTP 429, code 4
    (FakeGraph.temporary(), False, False),  # code 2, HTTP 500
    (FakeGraph.server_error(), False, False),  # a bare 500 without a Graph error body
])
def test_send_errors_are_mapped_to_permanent_or_retryable(canned: Any, permanent: bool, throttled: bool,
                                                          channel: FacebookChannel, fake: FakeGraph) -> None:
    fake.enqueue(canned)
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("1", "x"))
    assert error.value.permanent is permanent, error.value.reason
    assert error.value.throttled is throttled and (error.value.scope == "platform") is throttled
    assert channel.send(OutgoingMessage("1", "y")).platform_message_id


def test_a_timeout_is_retryable(channel: FacebookChannel, fake: FakeGraph) -> None:
    fake.enqueue(FakeGraph.timeout(3))
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("1", "x"))
    assert not error.value.permanent and "Timeout" in error.value.reason
