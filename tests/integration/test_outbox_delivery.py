"""The dispatcher against fake platforms that time out, fail, throttle and refuse (SQLite and PostgreSQL)."""
from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from channels.base import IncomingMessage
from intake.pipeline import Pipeline
from storage import outbox_queue as q
from outbox.dispatcher import Dispatcher
from outbox.profiles import ProfileFetcher
from settings import OutboxSettings, build
from storage.orm import conversations, outbox, staff_notifications
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FACEBOOK_PAGE_TOKEN, TELEGRAM_TOKEN, ZALO_ACCESS_TOKEN
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo
from tests.integration.outbox_support import (
    FAST,
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
def fakes() -> Iterator[tuple[FakeTelegram, FakeGraph, FakeZalo]]:
    with FakeTelegram(TELEGRAM_TOKEN) as tg, FakeGraph(FACEBOOK_PAGE_TOKEN) as fb, \
            FakeZalo(ZALO_ACCESS_TOKEN) as zl:
        yield tg, fb, zl  # type: ignore[misc]


def text_of(request: Any) -> str:
    body = request.body
    return str(body.get("text") or (body.get("message") or {}).get("text"))


def delivered_texts(fake: Any) -> list[str]:
    return [text_of(r) for r in fake.answered_by_default()]


def test_every_row_is_delivered_exactly_once_through_timeouts_500s_and_429s(
        session_factory: Any, fakes: Any) -> None:
    tg, fb, zl = fakes
    tg.enqueue(FakeTelegram.too_many_requests(retry_after=1), FakeTelegram.server_error(),
               FakeTelegram.timeout(4))
    fb.enqueue(FakeGraph.server_error(), FakeGraph.rate_limited(), FakeGraph.timeout(4))
    zl.enqueue(FakeZalo.timeout(4), FakeZalo.server_error(), FakeZalo.rate_limited(),
               FakeZalo.too_many_requests())
    expected: dict[str, list[str]] = {"telegram": [], "facebook": [], "zalo": []}
    for channel in expected:
        for person in range(3):
            conv = conversation(session_factory, channel, f"{channel}-{person}")
            for n in range(2):
                text = f"Tin {n + 1} gửi công dân {person} qua {channel}."
                queue(session_factory, conv, text)
                expected[channel].append(text)
    d = dispatcher(session_factory, channels(tg, fb, zl))
    final = drain(d, session_factory, timeout=30)
    assert {r.status for r in final.values()} == {"sent"}
    for channel, fake in (("telegram", tg), ("facebook", fb), ("zalo", zl)):
        assert sorted(delivered_texts(fake)) == sorted(expected[channel]), channel  # once each
        assert fake.pending_script == 0  # every scripted failure was met
    telegram_429 = [r for r in final.values() if r.channel == "telegram" and r.attempts > 1]
    assert telegram_429 and all(r.platform_message_id for r in final.values() if r.channel != "webchat")


def test_order_per_conversation_holds_through_retries(session_factory: Any, fakes: Any) -> None:
    tg, _, _ = fakes
    tg.enqueue(FakeTelegram.server_error(), FakeTelegram.server_error())
    conv = conversation(session_factory, "telegram", "4242")
    texts = [f"Phần {n} của câu trả lời." for n in range(1, 6)]
    for text in texts:
        queue(session_factory, conv, text)
    drain(dispatcher(session_factory, channels(telegram=tg)), session_factory)
    assert delivered_texts(tg) == texts


def test_permanent_refusals_are_failed_with_the_reason_and_staff_are_told(
        session_factory: Any, fakes: Any) -> None:
    tg, fb, zl = fakes
    tg.enqueue(FakeTelegram.blocked())
    fb.enqueue(FakeGraph.outside_window(), FakeGraph.user_unavailable())
    zl.enqueue(FakeZalo.no_interaction(), FakeZalo.server_error(), FakeZalo.server_error(),
               FakeZalo.server_error())
    codes = {}
    for channel, sender, code in (("telegram", "1", "PAKN-2026-000101"), ("facebook", "2", "PAKN-2026-000102"),
                                  ("facebook", "3", None), ("zalo", "4", "PAKN-2026-000104"),
                                  ("zalo", "5", None)):
        conv = conversation(session_factory, channel, sender, last_message_id="abc")
        if code:
            add_case(session_factory, code, conv, channel, sender, agency="so_tu_phap")
        codes[queue(session_factory, conv, f"Trạng thái {sender}", kind="status", case_code=code)] = code
    final = drain(dispatcher(session_factory, channels(tg, fb, zl)), session_factory)
    reasons = {r.recipient_id: (r.status, r.last_error, r.attempts) for r in final.values()}
    assert reasons["1"][:2] == ("failed", "403 Forbidden: bot was blocked by the user") and reasons["1"][2] == 1
    # The fake answers in arrival order, and two conversations need not be sent in row order.
    facebook = sorted(reasons[r][1] for r in ("2", "3"))
    assert [reasons[r][0] for r in ("2", "3")] == ["failed", "failed"]
    assert "2018278" in facebook[0] and "551" in facebook[1] and reasons["2"][2] == reasons["3"][2] == 1
    assert reasons["4"][0] == "failed" and "-230" in reasons["4"][1] and reasons["4"][2] == 1
    assert reasons["5"] == ("sent", None, 4)  # 500s are retried (until outbox.give_up_after_hours)
    with session_factory() as session:
        notes = {(n.kind, n.agency_id, n.case_code, n.data["reason"])
                 for n in session.execute(staff_notifications.select())}
    assert ("delivery_failed", "so_tu_phap", "PAKN-2026-000101",
            "403 Forbidden: bot was blocked by the user") in notes
    assert ("delivery_failed", "van_phong_ubnd", None, reasons["3"][1]) in notes  # no case: focal point
    assert len(notes) == 4


def test_long_texts_go_in_parts_at_sentence_ends_in_order(session_factory: Any, fakes: Any) -> None:
    tg, fb, _ = fakes
    sentence = "Cơ quan đã tiếp nhận và đang xác minh nội dung phản ánh của Ông/Bà. "
    text = (sentence * 140).strip()  # about 9,500 characters
    for channel, sender in (("telegram", "77"), ("facebook", "78")):
        queue(session_factory, conversation(session_factory, channel, sender), text,
              quick_replies=(("Đồng ý", "/yes"),))
    final = drain(dispatcher(session_factory, channels(telegram=tg, graph=fb)), session_factory)
    for fake, limit, row in ((tg, 4096, final[1]), (fb, 2000, final[2])):
        parts = delivered_texts(fake)
        assert len(parts) == -(-len(text) // limit) or len(parts) == -(-len(text) // limit) + 1
        assert all(len(p) <= limit and p.endswith(".") for p in parts)
        assert " ".join(parts) == text
        assert row.parts_sent == len(parts) and len(row.part_ids) == len(parts)
        assert row.platform_message_id == row.part_ids[-1]
    markup = [r.body.get("reply_markup") for r in tg.answered_by_default()]
    assert markup[:-1] == [None] * (len(markup) - 1) and markup[-1] is not None
    quick = [r.body["message"].get("quick_replies") for r in fb.answered_by_default()]
    assert quick[:-1] == [None] * (len(quick) - 1) and quick[-1][0]["payload"] == "/yes"


def test_a_reclaimed_row_resumes_after_the_parts_already_acknowledged(session_factory: Any,
                                                                      fakes: Any) -> None:
    _, fb, _ = fakes
    text = " ".join(f"Câu thứ {n} của một câu trả lời dài." for n in range(1, 101))
    row_id = queue(session_factory, conversation(session_factory, "facebook", "90"), text)
    with session_factory() as session, session.begin():  # a worker died after part 1 was acknowledged
        session.execute(outbox.update().where(outbox.c.id == row_id).values(
            status="sending", locked_by="dead-worker", locked_until=ago(seconds=1), parts_sent=1,
            part_ids=["m_before_crash"], attempts=1))
    final = drain(dispatcher(session_factory, channels(graph=fb)), session_factory)
    sent = delivered_texts(fb)  # two parts; the first was acknowledged before the crash
    assert len(sent) == 1 and text.endswith(sent[0]) and "Câu thứ 1 " not in sent[0]
    assert final[row_id].part_ids[0] == "m_before_crash" and len(final[row_id].part_ids) == 2
    assert final[row_id].status == "sent" and final[row_id].attempts == 2


# -- messaging windows ----------------------------------------------------------------------------


def test_messenger_outside_24h_status_waits_and_a_staff_reply_goes_with_human_agent(
        session_factory: Any, fakes: Any) -> None:
    _, fb, _ = fakes
    old = conversation(session_factory, "facebook", "501", last_inbound=ago(hours=30))
    status = queue(session_factory, old, "Phản ánh đã được giải quyết.", kind="status")
    staff = queue(session_factory, old, "Cán bộ: Ông/Bà cần bổ sung giấy tờ.", author="staff:daumoi")
    fresh = conversation(session_factory, "facebook", "502", last_inbound=ago(hours=2))
    queue(session_factory, fresh, "Trả lời trong 24 giờ.", kind="status")
    gone = conversation(session_factory, "facebook", "503", last_inbound=ago(days=8))
    late_staff = queue(session_factory, gone, "Quá 7 ngày.", author="staff:daumoi")
    final = drain(dispatcher(session_factory, channels(graph=fb)), session_factory)
    assert (final[status].status, final[status].error_code) == ("waiting_window", "window")
    assert final[late_staff].status == "waiting_window"
    bodies = {text_of(r): r.body for r in fb.answered_by_default()}
    assert set(bodies) == {"Cán bộ: Ông/Bà cần bổ sung giấy tờ.", "Trả lời trong 24 giờ."}
    assert (bodies["Cán bộ: Ông/Bà cần bổ sung giấy tờ."]["messaging_type"],
            bodies["Cán bộ: Ông/Bà cần bổ sung giấy tờ."]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert bodies["Trả lời trong 24 giờ."]["messaging_type"] == "RESPONSE"
    assert "tag" not in bodies["Trả lời trong 24 giờ."]
    assert final[staff].status == "sent"


def test_a_waiting_status_push_goes_out_when_the_citizen_writes_again(session_factory: Any,
                                                                      fakes: Any) -> None:
    _, _, zl = fakes
    conv = conversation(session_factory, "zalo", "601", last_inbound=ago(days=8), last_message_id="aa")
    first = queue(session_factory, conv, "Phản ánh đã chuyển tới UBND phường.", kind="status")
    second = queue(session_factory, conv, "Phản ánh đã được trả lời.", kind="status")
    d = dispatcher(session_factory, channels(zalo=zl))
    final = drain(d, session_factory)
    assert final[first].status == final[second].status == "waiting_window"
    assert zl.requests == []  # nothing was tried: it would be -230
    pipeline = Pipeline(lambda: SqlUnitOfWork(session_factory), None, None, None)  # type: ignore[arg-type]
    pipeline.record(IncomingMessage("zalo", "601", "b1c2d3e4f5a6b7c8d9e0", "Cho tôi hỏi", now(),
                                    reply_token="b1c2d3e4f5a6b7c8d9e0"))
    final = drain(d, session_factory)
    assert final[first].status == final[second].status == "sent"
    sent = zl.answered_by_default()
    assert [text_of(r) for r in sent] == ["Phản ánh đã chuyển tới UBND phường.", "Phản ánh đã được trả lời."]
    assert all(r.body["message"]["quote_message_id"] == "b1c2d3e4f5a6b7c8d9e0" for r in sent)


def test_zalo_quotes_within_48h_sends_plain_until_7_days_then_uses_zns(session_factory: Any,
                                                                       fakes: Any) -> None:
    _, _, zl = fakes
    recent = conversation(session_factory, "zalo", "701", last_inbound=ago(hours=3), last_message_id="q701")
    days = conversation(session_factory, "zalo", "702", last_inbound=ago(days=3), last_message_id="q702")
    old = conversation(session_factory, "zalo", "703", last_inbound=ago(days=9), last_message_id="q703")
    add_case(session_factory, "PAKN-2026-000703", old, "zalo", "703", phone="0912 345 678")
    nophone = conversation(session_factory, "zalo", "704", last_inbound=ago(days=9))
    add_case(session_factory, "PAKN-2026-000704", nophone, "zalo", "704", phone="")
    queue(session_factory, recent, "Trong 48 giờ.", kind="status")
    queue(session_factory, days, "Sau 48 giờ.", kind="status")
    zns_row = queue(session_factory, old, "Đã trả lời.", kind="status", case_code="PAKN-2026-000703")
    waiting = queue(session_factory, nophone, "Đã trả lời.", kind="status", case_code="PAKN-2026-000704")
    final = drain(dispatcher(session_factory, channels(zalo=zl),
                             zns={"template_id": "7895417a7d3f9461cd2e"}), session_factory)
    cs = {r.body["recipient"]["user_id"]: r.body["message"] for r in zl.answered_by_default()
          if r.path.endswith("/cs")}
    assert cs["701"].get("quote_message_id") == "q701"
    assert "quote_message_id" not in cs["702"]
    (zns,) = [r for r in zl.answered_by_default() if r.path == "/message/template"]
    assert zns.body == {"phone": "84912345678", "template_id": "7895417a7d3f9461cd2e",
                        "template_data": {"ma_phan_anh": "PAKN-2026-000703", "trang_thai": "Đang xử lý"},
                        "tracking_id": f"outbox-{zns_row}"}
    assert zns.header("access_token") == ZALO_ACCESS_TOKEN
    assert (final[zns_row].status, final[zns_row].via) == ("sent", "zns")
    assert final[zns_row].platform_message_id.startswith("zns")
    assert final[waiting].status == "waiting_window"


# -- receipts ---------------------------------------------------------------------------------------


def test_receipts_mark_rows_delivered_and_read(session_factory: Any, fakes: Any) -> None:
    from outbox.receipts import record_delivery_receipt
    from storage.unit_of_work import SqlUnitOfWork

    def apply_receipt(*receipt: Any) -> int:
        return SqlUnitOfWork(session_factory).run(lambda uow: record_delivery_receipt(uow, *receipt, now()))

    _, fb, zl = fakes
    fb_rows = [queue(session_factory, conversation(session_factory, "facebook", "801"), t)
               for t in ("Một.", "Hai.")]
    zl_row = queue(session_factory, conversation(session_factory, "zalo", "802"), "Ba.")
    final = drain(dispatcher(session_factory, channels(graph=fb, zalo=zl)), session_factory)
    first_mid = final[fb_rows[0]].platform_message_id
    assert apply_receipt("facebook", "801", "delivered", (first_mid,), now()) == 1
    assert apply_receipt("facebook", "801", "read", (), now()) == 2  # watermark
    zalo_id = final[zl_row].platform_message_id
    assert apply_receipt("zalo", "802", "delivered", (zalo_id,), now()) == 1
    with session_factory() as session:
        got = {r.id: (r.delivered_at is not None, r.read_at is not None)
               for r in session.execute(sa.select(outbox.c.id, outbox.c.delivered_at, outbox.c.read_at))}
    assert got == {fb_rows[0]: (True, True), fb_rows[1]: (True, True), zl_row: (True, False)}


def test_a_batch_of_sends_is_recorded_in_one_transaction_and_a_lost_lease_is_not_overwritten(
        session_factory: Any, fakes: Any) -> None:
    """Issue 18: the rows a dispatcher's batch sent are marked `sent` together (one transaction,
    not one per row), and a row whose lease passed to another worker meanwhile keeps that
    worker's state."""
    _, fb, _ = fakes
    ids = [queue(session_factory, conversation(session_factory, "facebook", f"2400{n}"), f"Tin {n}.")
           for n in range(6)]
    d = dispatcher(session_factory, channels(graph=fb))
    engine = session_factory.kw["bind"]
    commits = [0]

    def commit(_connection: Any) -> None:
        commits[0] += 1

    sa.event.listen(engine, "commit", commit)
    try:
        assert d.dispatch_once() == 6
    finally:
        sa.event.remove(engine, "commit", commit)
    final = rows(session_factory)
    assert all(final[i].status == "sent" and final[i].platform_message_id for i in ids)
    assert sorted(delivered_texts(fb)) == sorted(f"Tin {n}." for n in range(6))
    assert commits[0] == 2  # the claim, then the six rows marked sent together (was 1 + 6)

    taken = queue(session_factory, conversation(session_factory, "facebook", "24009"), "Tin 9.")
    (claimed,) = q.claim(session_factory, "dead-worker", now(), 30, 10)
    with session_factory() as session, session.begin():  # its lease passed to another worker
        session.execute(outbox.update().where(outbox.c.id == taken).values(locked_by="live-worker"))
    assert q.mark_sent_many(session_factory, "dead-worker", now(), [(claimed.id, ["m-x"], None)]) == set()
    with session_factory() as session:
        row = session.execute(outbox.select().where(outbox.c.id == taken)).one()
    assert (row.status, row.locked_by, row.platform_message_id) == ("sending", "live-worker", None)


def test_a_sent_reply_names_an_unnamed_citizen_and_never_asks_the_profile_of_a_named_one(
        session_factory: Any, fakes: Any) -> None:
    _, fb, _ = fakes
    fb.profiles["24007001"] = ("Bình", "Trần Thị")
    unnamed = conversation(session_factory, "facebook", "24007001")
    named = conversation(session_factory, "facebook", "24007002")
    with session_factory() as session, session.begin():
        session.execute(conversations.update().where(conversations.c.id == named)
                        .values(display_name="Lê Văn Cường"))
    for conv in (unnamed, named):
        queue(session_factory, conv, "Xin chào!")
    chans = channels(graph=fb)
    d = Dispatcher(session_factory, chans, build(OutboxSettings, {**FAST}),
                   after_sent=ProfileFetcher(session_factory, chans).after_sent)
    assert d.dispatch_once() == 2
    deadline = time.monotonic() + 10
    while display_name(session_factory, unnamed) == "" and time.monotonic() < deadline:
        time.sleep(0.02)  # the look-up runs in the send pool after the batch is recorded
    assert display_name(session_factory, unnamed) == "Trần Thị Bình"
    assert display_name(session_factory, named) == "Lê Văn Cường"
    asked = [r.path for r in fb.requests if r.method == "GET"]
    assert asked == ["/v21.0/24007001"]


def display_name(session_factory: Any, conversation_id: int) -> str:
    with session_factory() as session:
        return str(session.scalar(sa.select(conversations.c.display_name)
                                  .where(conversations.c.id == conversation_id)))
