"""Zalo OA: X-ZEvent-Signature against channels.md §4, every sample event, the CS API errors."""
from __future__ import annotations

from datetime import datetime, timezone
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
from channels.zalo import ZaloChannel
from tests.conftest import ROOT, load_payload
from tests.fakes import CannedResponse, FakeZalo
from tests.fakes.signing import compact, zalo_signature

ACCESS_TOKEN = "unit-zalo-token"
APP_ID = "360846524940903967"
# channels.md §4: the compact JSON of Z1 (user-send-text-official.json), OA secret test_oa_secret_key
VECTOR_BODY = ('{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},"user_id_by_app":'
               '"552177279717587730","recipient":{"id":"388613280878808645"},"event_name":"user_send_text",'
               '"message":{"text":"message","msg_id":"96d3cdf3af150460909"},"timestamp":"154390853474"}').encode()
VECTOR_MAC = "mac=59987ad90ff2fd0247530fb37e6a436a614099cade6cadfa22617930a659e43e"
SAMPLES = sorted(p.name for p in (ROOT / "tests" / "payloads" / "zalo").glob("*.json")
                 if not p.name.startswith("api-"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    with FakeZalo(ACCESS_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def channel(fake: FakeZalo) -> ZaloChannel:
    fake.reset()
    return ZaloChannel(APP_ID, "test_oa_secret_key", ACCESS_TOKEN, fake.url, timeout=0.5)


# -- verify -----------------------------------------------------------------------------------------


def test_the_section_4_vector_is_the_sample_payload() -> None:
    assert compact(load_payload("zalo", "user-send-text-official.json")) == VECTOR_BODY
    assert zalo_signature(APP_ID, VECTOR_BODY, "154390853474", "test_oa_secret_key") == VECTOR_MAC


def test_the_section_4_vector_verifies(channel: ZaloChannel) -> None:
    assert channel.verify({"X-ZEvent-Signature": VECTOR_MAC}, VECTOR_BODY)
    assert channel.verify({"X-ZEvent-Signature": VECTOR_MAC[len("mac="):]}, VECTOR_BODY)  # prefix optional
    # werkzeug hands the header over as "X-Zevent-Signature": the lookup must not care about case
    assert channel.verify(Headers([("X-Zevent-Signature", VECTOR_MAC)]), VECTOR_BODY)


@pytest.mark.parametrize("headers, body", [
    ({}, VECTOR_BODY),
    ({"X-ZEvent-Signature": "mac="}, VECTOR_BODY),
    ({"X-ZEvent-Signature": VECTOR_MAC.upper()}, VECTOR_BODY),
    ({"X-ZEvent-Signature": VECTOR_MAC}, VECTOR_BODY + b" "),  # the raw bytes are hashed
    ({"X-ZEvent-Signature": VECTOR_MAC}, VECTOR_BODY.replace(b'"text":"message"', b'"text":"massage"')),
    ({"X-ZEvent-Signature": VECTOR_MAC}, b"not json"),
])
def test_anything_but_the_exact_signature_fails(headers: dict[str, str], body: bytes, channel: ZaloChannel) -> None:
    assert not channel.verify(headers, body)


def test_an_event_of_another_app_fails_even_when_its_hash_is_right(channel: ZaloChannel) -> None:
    body = VECTOR_BODY.replace(APP_ID.encode(), b"1163843031413526746")
    mac = zalo_signature("1163843031413526746", body, "154390853474", "test_oa_secret_key")
    assert not channel.verify({"X-ZEvent-Signature": mac}, body)


def test_the_hash_is_not_an_hmac(channel: ZaloChannel) -> None:
    import hashlib
    import hmac

    wrong = hmac.new(b"test_oa_secret_key", APP_ID.encode() + VECTOR_BODY + b"154390853474",
                     hashlib.sha256).hexdigest()
    assert not channel.verify({"X-ZEvent-Signature": "mac=" + wrong}, VECTOR_BODY)


# -- parse --------------------------------------------------------------------------------------------


EXPECTED: dict[str, Any] = {
    "user-send-text-official.json": dict(sender_id="246845883529197922", message_id="96d3cdf3af150460909",
                                         text="message", reply_token="96d3cdf3af150460909"),
    "user-send-text-forum.json": dict(sender_id="5510185758261927916", text="Helo",
                                      received_at=datetime(2024, 5, 30, 9, 37, 19, 659000, tzinfo=timezone.utc)),
    "user-send-text-a4b.json": dict(sender_id="6142494823xxxxxxxx", text="Chào A4B"),
    "user-send-location-logged.json": dict(text="Cơm Coffee New Sky", attachments=(Attachment(
        "location", None, {"coordinates": {"latitude": "10.7923119", "longitude": "106.7820651"}}),)),
    "user-send-image-testtool.json": dict(message_id="This is message id", text="This is testing message",
                                          attachments=(Attachment("image", "url_to_thumbnail", {
                                              "thumbnail": "url_to_thumbnail", "url": "url_to_thumbnail"}),)),
    "user-send-file-testtool.json": dict(text="", attachments=(Attachment("file", "link_to_download_file", {
        "url": "link_to_download_file", "size": "9999", "name": "file_name", "checksum": "checksum",
        "type": "file_type"}),)),
    "oa-send-text-testtool.json": None,  # the OA's own message: never answer it
    "follow-constructed.json": None,
    "user-received-message-constructed.json": StatusEvent("zalo", "246845883529197922", "delivered",
                                                          ("a1b2c3d4e5f60718293a",)),
}


def test_every_sample_payload_has_an_expectation() -> None:
    assert sorted(EXPECTED) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_payloads_parse(name: str, channel: ZaloChannel) -> None:
    event = load_payload("zalo", name)
    parsed = channel.parse(compact(event))
    expected = EXPECTED[name]
    if expected is None:
        assert parsed == []
    elif isinstance(expected, StatusEvent):
        (status,) = parsed
        assert isinstance(status, StatusEvent)
        assert (status.sender_id, status.kind, status.message_ids) == (
            expected.sender_id, expected.kind, expected.message_ids)
    else:
        (message,) = parsed
        assert isinstance(message, IncomingMessage) and message.channel == "zalo" and message.raw == event
        assert message.message_id == event["message"]["msg_id"]
        for field, value in expected.items():
            assert getattr(message, field) == value, field


@pytest.mark.parametrize("event, reason", [
    ({"app_id": APP_ID}, "event_name"),
    ({"event_name": "user_send_text", "message": {"text": "x", "msg_id": "1"}}, "sender"),
    ({"event_name": "user_send_text", "sender": {"id": "1"}, "message": {"text": "x"}}, "msg_id"),
])
def test_wrong_shapes_are_bad_payloads(event: dict[str, Any], reason: str, channel: ZaloChannel) -> None:
    with pytest.raises(BadPayload, match=reason):
        channel.parse(compact(event))


# -- send ---------------------------------------------------------------------------------------------


def test_the_cs_message_request(channel: ZaloChannel, fake: FakeZalo) -> None:
    result = channel.send(OutgoingMessage("246845883529197922", "Cảm ơn Ông/Bà."))
    (request,) = fake.wait_for(1)
    assert (request.method, request.path) == ("POST", "/v3.0/oa/message/cs")
    assert request.header("access_token") == ACCESS_TOKEN
    assert request.body == {"recipient": {"user_id": "246845883529197922"}, "message": {"text": "Cảm ơn Ông/Bà."}}
    assert result.platform_message_id == "00000000000000000001"


def test_quick_replies_become_numbered_text(channel: ZaloChannel, fake: FakeZalo) -> None:
    channel.send(OutgoingMessage("1", "Gửi phản ánh này?", (QuickReply("Xác nhận gửi", "/confirm"),
                                                              QuickReply("Hủy", "/cancel"))))
    (request,) = fake.wait_for(1)
    assert request.body["message"]["text"] == (
        "Gửi phản ánh này?\n\n1. Xác nhận gửi\n2. Hủy\n(Trả lời bằng số thứ tự hoặc nội dung.)")


def test_a_long_text_is_sent_in_parts(channel: ZaloChannel, fake: FakeZalo) -> None:
    channel.send(OutgoingMessage("1", "Một câu khá dài. " * 200))
    parts = fake.wait_for(2)
    assert all(len(p.body["message"]["text"]) <= channel.text_limit for p in parts)


@pytest.mark.parametrize("canned, permanent, code, throttled", [
    (FakeZalo.no_interaction(), True, "-230", False),  # in HTTP 200: check `error`, not the status
    (FakeZalo.user_blocked(), True, "-217", False),
    (FakeZalo.invalid_token(), False, "-216", False),  # a refreshed token fixes it
    (FakeZalo.rate_limited(), False, "-32", True),  # slow down the OA, not a failure
    (FakeZalo.too_many_requests(), False, "429", True),
    (FakeZalo.server_error(), False, None, False),
    (CannedResponse(200, "<html>gateway</html>", path_suffix="/cs"), False, None, False),
])
def test_send_errors_are_mapped_to_permanent_or_retryable(canned: Any, permanent: bool, code: str | None,
                                                          throttled: bool, channel: ZaloChannel,
                                                          fake: FakeZalo) -> None:
    fake.enqueue(canned)
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("1", "x"))
    assert (error.value.permanent, error.value.code) == (permanent, code), error.value.reason
    assert error.value.throttled is throttled and (error.value.scope == "platform") is throttled
    assert channel.send(OutgoingMessage("1", "y")).platform_message_id


def test_a_timeout_is_retryable(channel: ZaloChannel, fake: FakeZalo) -> None:
    fake.enqueue(FakeZalo.timeout(3))
    with pytest.raises(ChannelError) as error:
        channel.send(OutgoingMessage("1", "x"))
    assert not error.value.permanent and "Timeout" in error.value.reason
