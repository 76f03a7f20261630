"""Platform rules live in the channel classes: the outbox and the console ask the channel, so a
channel with other rules needs no change outside channels/."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import Headers

from channels.base import (
    SEND,
    WAIT,
    BadPayload,
    ChannelError,
    DeliveryPlan,
    NotAuthentic,
    OutgoingMessage,
    Queued,
    SendResult,
)
from channels.facebook import FacebookChannel
from channels.telegram import TelegramChannel
from channels.webchat import WebchatChannel
from channels.zalo import ZaloChannel
from console.window import WINDOWS, can_reply, reply_window
from outbox.delivery import plan_delivery
from storage.outbox_queue import Claimed
from tests.unit.fakes import FakeChannel

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


class DailyChannel(FakeChannel):
    """A made-up platform: anything within a day of the citizen's message, staff too."""

    name = "daily"
    staff_reply_window = timedelta(days=1)

    @classmethod
    def plan(cls, queued: Queued, now: datetime, templates_ready: bool) -> DeliveryPlan:
        age = queued.age(now)
        if age is not None and age <= timedelta(days=1):
            return DeliveryPlan(SEND, queued.reply_to)
        return DeliveryPlan(WAIT, reason="outside the daily window")


def row(channel: str, age: timedelta | None, kind: str = "status", author: str = "bot") -> Claimed:
    return Claimed(1, 1, channel, "u", "t", [], kind, "PAKN-2026-000001", "m0", 1, 0, [],
                   NOW - timedelta(hours=2), None, None, author,
                   NOW - age if age is not None else None, "msg1", "0912345678", "answered")


def test_the_outbox_follows_whatever_window_the_channel_declares() -> None:
    fresh = plan_delivery(row("daily", timedelta(hours=20)), NOW, False, DailyChannel)
    stale = plan_delivery(row("daily", timedelta(hours=30)), NOW, False, DailyChannel)
    assert (fresh.action, fresh.reply_to) == (SEND, "m0")
    assert (stale.action, stale.reason) == (WAIT, "outside the daily window")


def test_the_dispatcher_asks_the_channel_of_the_row_by_its_name() -> None:
    # Messenger's 24 hours, Zalo's 7 days: a row three days old waits on one, goes on the other.
    assert plan_delivery(row("facebook", timedelta(days=3)), NOW, False).action == WAIT
    zalo = plan_delivery(row("zalo", timedelta(days=3)), NOW, False)
    assert (zalo.action, zalo.reply_to) == (SEND, None)  # past 48 h: not quoted
    assert plan_delivery(row("telegram", timedelta(days=300)), NOW, False).action == SEND
    assert plan_delivery(row("webchat", None), NOW, False).action == SEND


def test_a_template_message_only_where_the_channel_has_them() -> None:
    old = row("zalo", timedelta(days=9))
    assert ZaloChannel.template_kind == "zns"
    assert plan_delivery(old, NOW, True).action == "zns"
    for channel in (FacebookChannel, TelegramChannel, WebchatChannel):
        assert channel.template_kind is None
    assert plan_delivery(row("facebook", timedelta(days=9)), NOW, True).action == WAIT
    with pytest.raises(ChannelError) as refused:
        FakeChannel().send_template("0912345678", "tpl", {}, "outbox-1")
    assert refused.value.permanent


def test_the_console_reads_the_staff_reply_window_from_the_channel() -> None:
    assert WINDOWS == {"facebook": timedelta(days=7), "zalo": timedelta(days=7)}
    assert reply_window("telegram") is None and reply_window("facebook") == timedelta(days=7)
    assert can_reply("facebook", NOW - timedelta(days=6), NOW)
    assert not can_reply("facebook", NOW - timedelta(days=8), NOW)
    assert not can_reply("zalo", None, NOW)  # never wrote: the OA cannot start the chat
    assert can_reply("telegram", None, NOW) and can_reply("webchat", None, NOW)
    assert DailyChannel.staff_can_reply(NOW - timedelta(hours=23), NOW)
    assert not DailyChannel.staff_can_reply(NOW - timedelta(hours=25), NOW)


def test_a_webhook_is_verified_then_parsed_by_the_channel() -> None:
    channel = FakeChannel()
    body = json.dumps({"messages": [{"from": "7", "id": "a1", "text": "Xin chào"}]}).encode()
    [message] = channel.authentic_events(Headers([("x-fake-secret", "s3cret")]), body)
    assert (message.sender_id, message.text) == ("7", "Xin chào")
    with pytest.raises(NotAuthentic):
        channel.authentic_events({"X-Fake-Secret": "wrong"}, b"not json")  # 403 before parsing
    with pytest.raises(BadPayload):
        channel.authentic_events({"X-Fake-Secret": "s3cret"}, b"not json")


def test_zalo_parses_before_it_verifies_because_its_signature_covers_body_fields() -> None:
    zalo = ZaloChannel("app", "secret", "token", "http://127.0.0.1:9")
    with pytest.raises(BadPayload):  # a 400 with the reason, even unsigned
        zalo.authentic_events({}, b"[]")
    with pytest.raises(NotAuthentic):
        zalo.authentic_events({}, json.dumps({"app_id": "app", "event_name": "x"}).encode())


def test_the_web_chat_is_not_a_webhook_channel() -> None:
    chat = WebchatChannel()
    assert not hasattr(chat, "authentic_events") and not hasattr(chat, "parse")
    assert chat.send(OutgoingMessage("s", "Xin chào")) == SendResult(None)
