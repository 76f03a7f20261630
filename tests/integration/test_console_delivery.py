"""Staff see which citizens could not be notified (and why), and which answers were received or read."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from outbox.receipts import record_delivery_receipt
from storage import outbox_queue as q
from storage.orm import outbox
from tests.integration.console_support import Console, console  # noqa: F401


def _mark(console: Console, row_id: int, **values: object) -> None:
    with console.pakn.session_factory() as session, session.begin():
        session.execute(outbox.update().where(outbox.c.id == row_id).values(**values))


def _forward(console: Console, code: str, username: str = "daumoi") -> int:
    console.client(username).post(f"/console/cases/{code}/actions/forward", {"note": ""})
    return int(console.outbox(code)[-1].id)


def test_failed_and_waiting_messages_are_listed_with_the_reason(console: Console) -> None:
    blocked = console.file(channel="telegram", sender="111")
    blocked_row = _forward(console, blocked)
    now = datetime.now(timezone.utc)
    # The dispatcher's own write path: claimed, then refused for good by the platform.
    (claimed,) = q.claim(console.pakn.session_factory, "w1", now, 30, 10)
    assert claimed.id == blocked_row
    q.mark_failed(console.pakn.session_factory, blocked_row, "w1", now,
                  "403 Forbidden: bot was blocked by the user", "403")
    waiting = console.file(channel="zalo", sender="222")
    waiting_row = _forward(console, waiting)
    _mark(console, waiting_row, status="waiting_window", error_code="window",
          last_error="no interaction with the Zalo OA for 7 days")
    page = console.client("daumoi").get("/console/delivery")
    assert page.status_code == 200
    assert "Tin chưa gửi được" in page.text
    assert f'data-outbox="{blocked_row}"' in page.text and f'data-outbox="{waiting_row}"' in page.text
    assert "Công dân đã chặn hoặc xoá bot Telegram." in page.text
    assert "403 Forbidden: bot was blocked by the user" in page.text
    assert "Ngoài thời hạn nhắn tin của nền tảng: sẽ gửi khi công dân nhắn lại." in page.text
    case_page = console.client("daumoi").get(f"/console/cases/{blocked}").text
    assert "Gửi không thành công" in case_page and "Công dân đã chặn hoặc xoá bot Telegram." in case_page
    notes = console.query("SELECT kind, agency_id, case_code FROM staff_notifications "
                          "WHERE kind = 'delivery_failed'")
    assert [tuple(n) for n in notes] == [("delivery_failed", "ubnd_xa", blocked)]


def test_agency_staff_see_only_their_cases_undelivered_messages(console: Console) -> None:
    mine = console.file(channel="telegram", sender="333")
    row = _forward(console, mine)
    _mark(console, row, status="failed", error_code="403", last_error="403 Forbidden")
    assert f'data-outbox="{row}"' in console.client("caugiay").get("/console/delivery").text
    assert f'data-outbox="{row}"' not in console.client("congan").get("/console/delivery").text


def test_the_case_page_shows_that_the_citizen_received_and_read_the_answer(console: Console) -> None:
    code = console.file(channel="facebook", sender="444")
    row = _forward(console, code)
    read = datetime(2026, 11, 20, 3, 15, tzinfo=timezone.utc)
    _mark(console, row, status="sent", platform_message_id="m_1", sent_at=read, send_started_at=read)
    assert _receipt(console, "facebook", "444", "delivered", ("m_1",), read) == 1
    page = console.client("daumoi").get(f"/console/cases/{code}").text
    assert "Công dân đã nhận 20/11/2026 10:15" in page
    assert _receipt(console, "facebook", "444", "read", (), read) == 1
    assert "Công dân đã xem 20/11/2026 10:15" in console.client("daumoi").get(f"/console/cases/{code}").text


def _receipt(console: Console, *receipt: Any) -> int:
    """What the webhook does with a platform's receipt: the service, in a unit of work."""
    return int(console.pakn.uow().run(lambda uow: record_delivery_receipt(uow, *receipt, datetime.now(timezone.utc))))


def _fail_first(console: Console, code: str) -> tuple[int, int]:
    """The forward push fails for good (blocked bot); a later push is then held behind it."""
    first = _forward(console, code)
    now = datetime.now(timezone.utc)
    (claimed,) = q.claim(console.pakn.session_factory, "w1", now, 30, 10)
    q.mark_failed(console.pakn.session_factory, claimed.id, "w1", now,
                  "403 Forbidden: bot was blocked by the user", "403")
    console.client("caugiay").post(f"/console/cases/{code}/actions/start", {"note": ""})
    return first, int(console.outbox(code)[-1].id)


def test_a_failed_message_holds_the_next_ones_until_staff_send_it_again(console: Console) -> None:
    from outbox.delivery import text_to_send

    code = console.file(channel="telegram", sender="555")
    failed, held = _fail_first(console, code)
    assert [r.status for r in console.outbox(code)] == ["failed", "held"]
    page = console.client("caugiay").get("/console/delivery").text
    assert f'data-outbox="{held}" data-status="held"' in page and "Đang giữ lại" in page
    assert f'/console/delivery/{failed}/retry' in page and f'/console/delivery/{held}/retry' not in page
    assert console.client("congan").post(f"/console/delivery/{failed}/retry").status_code == 404

    answer = console.client("caugiay").post(f"/console/delivery/{failed}/retry")
    assert "Đã xếp 2 tin để gửi lại" in answer.text
    assert [r.status for r in console.outbox(code)] == ["pending", "pending"]
    now = datetime.now(timezone.utc)
    (claimed,) = q.claim(console.pakn.session_factory, "w2", now, 30, 10)  # the missed one first
    assert claimed.id == failed and text_to_send(claimed).startswith("Tin nhắn gửi Ông/Bà lúc ")
    actions = console.query("SELECT action FROM audit_log WHERE action LIKE 'delivery%'")
    assert [a[0] for a in actions] == ["delivery_retry"]


def test_staff_drop_a_failed_message_they_told_the_citizen_about_and_the_held_ones_go(
        console: Console) -> None:
    code = console.file(channel="telegram", sender="556")
    failed, held = _fail_first(console, code)
    answer = console.client("daumoi").post(f"/console/delivery/{failed}/dismiss")
    assert "1 tin đang giữ lại sẽ được gửi" in answer.text
    assert [r.status for r in console.outbox(code)] == ["dismissed", "pending"]
    (claimed,) = q.claim(console.pakn.session_factory, "w2", datetime.now(timezone.utc), 30, 10)
    assert claimed.id == held and claimed.missed_at is None
    again = console.client("daumoi").post(f"/console/delivery/{failed}/retry")
    assert again.status_code == 404  # no longer undelivered: nothing to retry
