"""Being throttled is not failing (issue 12, defect 2), on SQLite and PostgreSQL.

The fake Telegram API answers 429 with retry_after for a while, then 500s, then normally; every reply
must still arrive, in order per chat, without a throttle using up an attempt. A reply that fails for
good holds back the later ones of its conversation, staff are told, and the missed reply goes first
when the citizen writes again.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from channels.base import IncomingMessage
from intake.pipeline import Pipeline
from storage.orm import outbox, staff_notifications
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FACEBOOK_PAGE_TOKEN, TELEGRAM_TOKEN, ZALO_ACCESS_TOKEN
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo
from tests.integration.outbox_support import (
    add_case,
    ago,
    channels,
    conversation,
    dispatcher,
    drain,
    now,
    queue,
    rows,
)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(TELEGRAM_TOKEN) as fake:
        yield fake  # type: ignore[misc]


def texts_to(fake: FakeTelegram, chat: str) -> list[str]:
    return [str(r.body["text"]) for r in fake.answered_by_default()
            if str(r.body.get("chat_id")) == chat and r.endpoint == "sendMessage"]


def test_429s_then_500s_delay_every_reply_but_lose_none_and_use_no_attempt(
        session_factory: Any, tg: FakeTelegram) -> None:
    chats = [str(700_000 + n) for n in range(40)]
    for chat in chats:
        conv = conversation(session_factory, "telegram", chat)
        for n in (1, 2):
            queue(session_factory, conv, f"Trả lời {n} cho công dân {chat}.")
    tg.outage((2.0, FakeTelegram.too_many_requests(retry_after=1)), (1.5, FakeTelegram.server_error()))
    final = drain(dispatcher(session_factory, channels(telegram=tg)), session_factory, timeout=60)

    assert {r.status for r in final.values()} == {"sent"}
    for chat in chats:
        assert texts_to(tg, chat) == [f"Trả lời {n} cho công dân {chat}." for n in (1, 2)]
        mine = [r for r in final.values() if r.recipient_id == chat]
        # One attempt per reply, plus one per 500: a 429 never counts as an attempt.
        assert sum(r.attempts for r in mine) == len(mine) + tg.outage_answers(chat, 500), chat
        assert sum(r.throttles for r in mine) == tg.outage_answers(chat, 429), chat
    assert sum(1 for c in chats if tg.outage_answers(c, 429)) >= 2  # a flood, not one chat
    assert sum(tg.outage_answers(c, 500) for c in chats) > 0


def test_a_429_on_one_chat_slows_that_chat_only(session_factory: Any, tg: FakeTelegram) -> None:
    slow = queue(session_factory, conversation(session_factory, "telegram", "801"), "Tin cho 801.")
    other = queue(session_factory, conversation(session_factory, "telegram", "802"), "Tin cho 802.")
    tg.enqueue(FakeTelegram.too_many_requests(retry_after=1))
    d = dispatcher(session_factory, channels(telegram=tg), concurrency=1)
    assert d.dispatch_once() == 2
    now_rows = rows(session_factory)
    assert (now_rows[slow].status, now_rows[slow].attempts, now_rows[slow].throttles) == ("pending", 0, 1)
    assert now_rows[slow].next_attempt_at > now()  # after the retry_after Telegram asked for
    assert now_rows[other].status == "sent"
    later = queue(session_factory, conversation(session_factory, "telegram", "803"), "Tin cho 803.")
    assert d.dispatch_once() == 1 and rows(session_factory)[later].status == "sent"  # no pause
    final = drain(d, session_factory)
    assert (final[slow].status, final[slow].attempts) == ("sent", 1)


def test_429s_on_several_chats_pause_the_whole_platform(session_factory: Any, tg: FakeTelegram) -> None:
    first = queue(session_factory, conversation(session_factory, "telegram", "811"), "Tin cho 811.")
    second = queue(session_factory, conversation(session_factory, "telegram", "812"), "Tin cho 812.")
    third = queue(session_factory, conversation(session_factory, "telegram", "813"), "Tin cho 813.")
    tg.enqueue(FakeTelegram.too_many_requests(retry_after=1), FakeTelegram.too_many_requests(retry_after=1))
    d = dispatcher(session_factory, channels(telegram=tg), concurrency=1, batch_size=2)
    assert d.dispatch_once() == 2  # both throttled: a flood, not one busy chat
    from storage.orm import channel_pauses
    with session_factory() as session:
        (pause,) = session.execute(channel_pauses.select()).all()
    assert pause.channel == "telegram" and pause.paused_until > now()
    assert d.dispatch_once() == 0  # the third chat is due, but Telegram asked everyone to wait
    assert rows(session_factory)[third].status == "pending" and len(tg.requests) == 2
    final = drain(d, session_factory)
    assert [(final[i].status, final[i].attempts) for i in (first, second, third)] == [("sent", 1)] * 3


def test_messenger_and_zalo_rate_limits_pause_the_platform_without_using_an_attempt(
        session_factory: Any) -> None:
    with FakeGraph(FACEBOOK_PAGE_TOKEN) as fb, FakeZalo(ZALO_ACCESS_TOKEN) as zl:
        fb.enqueue(FakeGraph.rate_limited(), FakeGraph.too_many_requests())
        zl.enqueue(FakeZalo.rate_limited(), FakeZalo.too_many_requests())
        ids = [queue(session_factory, conversation(session_factory, channel, sender), f"Tin {sender}.")
               for channel, sender in (("facebook", "901"), ("zalo", "902"))]
        d = dispatcher(session_factory, channels(graph=fb, zalo=zl), throttle_default_seconds=0.2)
        final = drain(d, session_factory)
        assert [(final[i].status, final[i].attempts, final[i].throttles) for i in ids] == [("sent", 1, 2)] * 2
        assert [r.body["message"]["text"] for r in fb.answered_by_default()] == ["Tin 901."]
        assert [r.body["message"]["text"] for r in zl.answered_by_default()] == ["Tin 902."]


def test_transient_errors_retry_past_the_old_attempt_count_and_give_up_only_after_the_age_limit(
        session_factory: Any, tg: FakeTelegram) -> None:
    tg.enqueue(*[FakeTelegram.server_error()] * 6)
    patient = queue(session_factory, conversation(session_factory, "telegram", "821"), "Vẫn đến nơi.")
    old_conv = conversation(session_factory, "telegram", "822")
    add_case(session_factory, "PAKN-2026-000822", old_conv, "telegram", "822", agency="so_tu_phap")
    final = drain(dispatcher(session_factory, channels(telegram=tg)), session_factory)
    assert (final[patient].status, final[patient].attempts) == ("sent", 7)

    stale = queue(session_factory, old_conv, "Quá hạn gửi.", kind="status", case_code="PAKN-2026-000822")
    with session_factory() as session, session.begin():  # failing since yesterday (the limit is 24 h)
        session.execute(outbox.update().where(outbox.c.id == stale).values(first_failed_at=ago(hours=25)))
    tg.enqueue(FakeTelegram.server_error())
    final = drain(dispatcher(session_factory, channels(telegram=tg)), session_factory)
    assert final[stale].status == "failed" and "24" in final[stale].last_error
    with session_factory() as session:
        notes = [n.data["outbox_id"] for n in session.execute(staff_notifications.select())]
    assert notes == [stale]


def test_a_reply_that_failed_for_good_holds_the_later_ones_until_the_citizen_writes_again(
        session_factory: Any, tg: FakeTelegram) -> None:
    conv = conversation(session_factory, "telegram", "831")
    add_case(session_factory, "PAKN-2026-000831", conv, "telegram", "831", agency="so_tu_phap")
    tg.enqueue(FakeTelegram.blocked())
    missed = queue(session_factory, conv, "Phản ánh đã được chuyển tới Sở Tư pháp.", kind="status",
                   case_code="PAKN-2026-000831")
    after = queue(session_factory, conv, "Phản ánh đang được xử lý.", kind="status",
                  case_code="PAKN-2026-000831")
    bystander = queue(session_factory, conversation(session_factory, "telegram", "832"), "Tin khác.")
    d = dispatcher(session_factory, channels(telegram=tg), concurrency=1)  # the refusal meets 831
    final = drain(d, session_factory)
    assert (final[missed].status, final[after].status, final[bystander].status) == ("failed", "held", "sent")
    later = queue(session_factory, conv, "Phản ánh đã có kết quả.", kind="status",
                  case_code="PAKN-2026-000831")
    final = drain(d, session_factory)
    assert final[later].status == "held" and texts_to(tg, "831") == []  # nothing as if all was well
    with session_factory() as session:
        (note,) = session.execute(staff_notifications.select()).all()
    assert (note.kind, note.agency_id, note.case_code) == ("delivery_failed", "so_tu_phap", "PAKN-2026-000831")

    pipeline = Pipeline(lambda: SqlUnitOfWork(session_factory), None, None, None)  # type: ignore[arg-type]
    pipeline.record(IncomingMessage("telegram", "831", "9001", "Sao tôi chưa nhận được tin gì?", now()))
    final = drain(d, session_factory)
    assert [final[i].status for i in (missed, after, later)] == ["sent"] * 3
    got = texts_to(tg, "831")
    assert len(got) == 3 and got[1:] == ["Phản ánh đang được xử lý.", "Phản ánh đã có kết quả."]
    assert got[0].startswith("Tin nhắn gửi Ông/Bà lúc ") and "chưa đến được" in got[0]
    assert got[0].endswith("Phản ánh đã được chuyển tới Sở Tư pháp.")
