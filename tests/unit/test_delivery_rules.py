"""Text splitting at sentence ends, send pacing, and the messaging-window decision per row."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.base import OutgoingMessage, QuickReply, split_text
from channels.facebook import FacebookChannel
from channels.zalo import ZaloChannel
from outbox.delivery import plan_delivery, text_to_send
from outbox.ratelimit import RateLimiter
from settings import RateLimit
from storage.outbox_queue import Claimed
from tests.strategies import examples

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
WORDS = st.sampled_from(["phản", "ánh", "hồ", "sơ", "khai", "sinh", "chậm", "UBND", "phường",
                         "Cầu", "Giấy", "đã", "tiếp", "nhận", "xx" * 40])
SENTENCES = st.lists(WORDS, min_size=1, max_size=30).map(lambda w: " ".join(w) + ".")


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(SENTENCES, min_size=1, max_size=60), st.sampled_from([200, 2000, 4096]))
def test_split_text_keeps_every_word_in_order_within_the_limit(sentences: list[str], limit: int) -> None:
    text = " ".join(sentences)
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost or reordered, no word cut


def test_split_text_prefers_sentence_ends_and_respects_platform_limits() -> None:
    sentence = "Cơ quan đã tiếp nhận phản ánh của Ông/Bà. "
    text = (sentence * 120).strip()
    for limit in (2000, 4096):
        parts = split_text(text, limit)
        assert all(len(p) <= limit and p.endswith(".") for p in parts)
        assert " ".join(parts) == text
    assert split_text("ngắn", 2000) == ["ngắn"]


def test_channel_parts_put_quick_replies_on_the_last_part_only() -> None:
    channel = FacebookChannel("s", "v", "t", "http://127.0.0.1:9")
    message = OutgoingMessage("1", "Một câu. " * 400, (QuickReply("Có", "/yes"),), reply_to="r")
    parts = channel.parts(message)
    assert len(parts) == 2 and all(len(p.text) <= 2000 for p in parts)
    assert [p.quick_replies for p in parts] == [(), (QuickReply("Có", "/yes"),)]
    zalo = ZaloChannel("a", "s", "t", "http://127.0.0.1:9").parts(
        OutgoingMessage("1", "Chọn:", (QuickReply("Có", "/yes"),)))
    assert zalo[0].text.endswith("(Trả lời bằng số thứ tự hoặc nội dung.)") and zalo[0].quick_replies == ()


def test_rate_limiter_allows_a_burst_then_paces_per_chat_and_overall() -> None:
    clock = [0.0]
    limiter = RateLimiter({"telegram": RateLimit(per_second=30, burst=30, per_chat_per_second=1,
                                                 per_chat_burst=3)}, clock=lambda: clock[0])
    assert [limiter.reserve("telegram", "a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve("telegram", "a") == 1.0  # 4th to one chat within a second
    assert limiter.reserve("telegram", "b") == 0.0  # another chat is not held back
    waits = [limiter.reserve("telegram", f"c{n}") for n in range(40)]  # 30/s overall
    assert waits[24] == 0.0 and waits[-1] > 0.3
    clock[0] = 10.0
    assert limiter.reserve("telegram", "a") == 0.0
    assert RateLimiter({}).reserve("zalo", "x") == 0.0  # unconfigured: no pacing


def row(channel: str, age: timedelta | None, kind: str = "status", author: str = "bot",
        phone: str | None = None, missed: bool = False) -> Claimed:
    return Claimed(1, 1, channel, "u", "t", [], kind, "PAKN-2026-000001", None, 1, 0, [],
                   NOW - timedelta(hours=2), None, NOW if missed else None, author,
                   NOW - age if age is not None else None, "msg1", phone, "answered")


def test_a_message_sent_after_it_had_failed_says_when_it_was_written() -> None:
    assert text_to_send(row("telegram", None)) == "t"
    late = text_to_send(row("telegram", None, missed=True))  # written 07:00 UTC = 14:00 in Hà Nội
    assert late == "Tin nhắn gửi Ông/Bà lúc 14:00 ngày 20/11/2026 chưa đến được, nay gửi lại:\n\nt"


def test_window_plans() -> None:
    assert plan_delivery(row("facebook", timedelta(hours=23)), NOW, False).action == "send"
    staff = plan_delivery(row("facebook", timedelta(days=6), "reply", "staff:an"), NOW, False)
    assert (staff.action, staff.human_agent) == ("send", True)
    assert plan_delivery(row("facebook", timedelta(hours=25)), NOW, False).action == "wait"
    assert plan_delivery(row("facebook", timedelta(days=8), "reply", "staff:an"), NOW, False).action == "wait"
    assert plan_delivery(row("zalo", timedelta(hours=1)), NOW, False).reply_to == "msg1"
    assert plan_delivery(row("zalo", timedelta(days=3)), NOW, False).reply_to is None
    assert plan_delivery(row("zalo", timedelta(days=8), phone="0912"), NOW, True).action == "zns"
    assert plan_delivery(row("zalo", timedelta(days=8), phone="0912"), NOW, False).action == "wait"
    assert plan_delivery(row("zalo", timedelta(days=8), kind="reply", phone="0912"), NOW, True).action == "wait"
    assert plan_delivery(row("telegram", None), NOW, False).action == "send"
