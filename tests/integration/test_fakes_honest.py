"""The in-memory fakes (tests/unit/fakes.py) tell the truth: the same scenario run on FakeUnitOfWork
and on SqlUnitOfWork against a real database ends in the same cases, deadlines, timelines, queued
messages and staff notifications. A fake that drifted from storage/ fails here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from intake.notifier import OutboxNotifier, queue_reply
from intake.turns import Reply
from routing import chat_link_services, chat_links, jobs, services
from routing.model import Message, MissingContactData, OutboxItem, StaffNotification
from routing.ports import AbstractUnitOfWork
from storage.catalogue_files import calendar_entries, deadline_policy, load_catalogue
from storage.orm import messages, outbox, staff_notifications
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import ROOT
from tests.unit.fakes import FakeData, FakeUnitOfWork

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
CATALOGUE = load_catalogue(ROOT / "catalogue")
CTX = services.CaseContext(CATALOGUE, deadline_policy(CATALOGUE))
NOTIFIER = OutboxNotifier(CATALOGUE, (("xu_ly_tich_cuc", "Xử lý tích cực"),))
FORM = services.IntakeForm(text="Đèn đường ngõ 12 hỏng hai tuần", procedure_id="ho_tich",
                           citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
                           citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward="phường Cầu Giấy")


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def scenario(new_uow: Callable[[], AbstractUnitOfWork]) -> list[Any]:
    """A case's life plus the edges a repository decides: returns what each step answered."""
    said: list[Any] = []
    with new_uow() as uow:
        conversation = uow.conversations.get_or_create("telegram", "42")
        inbound = Message(conversation.id, "in", "telegram", "Xin chào", at(0), platform_message_id="m1")
        said += [uow.messages.add_inbound(inbound)]
        code = services.file_case(uow, CTX, conversation, FORM, at(0)).code
        hotline = services.file_case(uow, CTX, None, FORM, at(0), channel="hotline",
                                     sender_id="0912345678").code
        uow.commit()
    with new_uow() as uow:  # the platform delivers m1 again; a form without a phone is refused
        conversation = uow.conversations.get_or_create("telegram", "42")
        again = Message(conversation.id, "in", "telegram", "Xin chào", at(1), platform_message_id="m1")
        said += [uow.messages.add_inbound(again)]
        with pytest.raises(MissingContactData):
            services.file_case(uow, CTX, conversation,
                               services.IntakeForm("x", None, "An", "", "Hà Nội"), at(1))
        uow.commit()
    with new_uow() as uow:
        services.forward_case(uow, NOTIFIER, CTX, code, "daumoi", at(2))
        services.start_handling(uow, NOTIFIER, code, "canbo", at(3))
        services.transfer_case(uow, NOTIFIER, CTX, code, "so_tu_phap", "Thuộc thẩm quyền Sở",
                               "canbo", at(4))
        uow.commit()
    with new_uow() as uow:  # not committed: lost
        services.reject_case(uow, NOTIFIER, hotline, "Thiếu thông tin", "canbo", at(5))
    with new_uow() as uow:
        said += [jobs.send_due_reminders(uow, CTX.policy, datetime(2026, 12, 3, 2, tzinfo=timezone.utc)),
                 jobs.send_due_reminders(uow, CTX.policy, datetime(2026, 12, 3, 3, tzinfo=timezone.utc)),
                 jobs.escalate_overdue(uow, datetime(2027, 1, 30, tzinfo=timezone.utc)),
                 jobs.send_daily_digest(uow, CTX.policy, datetime(2026, 12, 3, 2, tzinfo=timezone.utc)),
                 jobs.send_daily_digest(uow, CTX.policy, datetime(2026, 12, 3, 9, tzinfo=timezone.utc))]
        services.start_handling(uow, NOTIFIER, code, "canbo", at(6))
        services.answer_case(uow, NOTIFIER, code, "Đã sửa đèn ngày 02/12.", "canbo", at(7))
        services.close_case(uow, NOTIFIER, code, "canbo", at(8))
        said += [jobs.start_surveys(uow, NOTIFIER, at(9)), jobs.start_surveys(uow, NOTIFIER, at(9))]
        said += [services.record_rating(uow, code, "xu_ly_tich_cuc", 4, at(10)),
                 services.record_rating(uow, code, "xu_ly_tich_cuc", 5, at(10))]
        services.reopen_case(uow, NOTIFIER, CTX, code, "Đèn lại hỏng", "citizen", at(11))
        uow.commit()
    with new_uow() as uow:  # a push kept for the platform's window; one that failed for good
        conversation = uow.conversations.get_or_create("telegram", "42")
        waiting = queue_reply(uow, conversation, Reply("Tin chờ"), at(12), kind="status")
        waiting.status = "waiting_window"
        failed = queue_reply(uow, conversation, Reply("Tin lỗi"), at(12), kind="status")
        failed.status, failed.missed_at = "failed", at(12)  # as outbox_queue.mark_failed leaves it
        uow.commit()
    with new_uow() as uow:  # queued behind the failed one: held, not sent ahead of it
        conversation = uow.conversations.get_or_create("telegram", "42")
        said += [queue_reply(uow, conversation, Reply("Tin sau"), at(12), kind="status").status]
        uow.commit()
    with new_uow() as uow:  # the citizen writes: all of them go, in order
        said += [uow.outbox.release_waiting(conversation.id or 0, at(13)),
                 uow.outbox.release_waiting(conversation.id or 0, at(13))]
        said += [set_day_moves(uow)]
        uow.commit()
    with new_uow() as uow:
        case = services.lookup_case(uow, hotline)
        request = chat_link_services.request_link(uow, case, "telegram", "42", "canbo", "UBND phường",
                                          at(14), timedelta(days=2))
        uow.commit()
    with new_uow() as uow:
        _, linked = chat_link_services.answer_link(uow, request.id or 0, conversation.id or 0, True, at(15))
        said += [linked.conversation_id == conversation.id if linked else None]
        with pytest.raises(chat_links.LinkRequestClosed):
            chat_link_services.answer_link(uow, request.id or 0, conversation.id or 0, False, at(15))
        uow.commit()
    return said + [snapshot(new_uow, [code, hotline])]


def set_day_moves(uow: AbstractUnitOfWork) -> int:
    return services.set_calendar_day(uow, date(2026, 12, 15), False, "Nghỉ bù")


def snapshot(new_uow: Callable[[], AbstractUnitOfWork], codes: list[str]) -> dict[str, Any]:
    with new_uow() as uow:
        cases = {code: case_view(uow, code) for code in codes}
        rows, notes, thread = stored_rows(uow)
        conversation = uow.conversations.get_or_create("telegram", "42")
        return {"cases": cases, "outbox": [(r.text, r.kind, r.case_code, r.status, r.recipient_id,
                                            r.reply_to, r.next_attempt_at, getattr(r, "missed_at", None))
                           for r in rows],
                "notifications": sorted((n.dedupe_key, n.agency_id, n.kind, n.case_code) for n in notes),
                "messages": [(m.direction, m.text, m.platform_message_id, m.author) for m in thread],
                "conversation": (conversation.state, conversation.slots),
                "calendar_days_off": len(uow.calendar.load().days_off),
                "links": [(r.status, r.answered_at) for r in uow.chat_links.for_case(codes[1])]}


def case_view(uow: AbstractUnitOfWork, code: str) -> dict[str, Any]:
    case = services.lookup_case(uow, code)
    return {"status": case.status, "agency": case.agency_id, "ward": case.ward, "due": case.due_at,
            "closed": case.closed_at, "answer": case.answer, "conversation": case.conversation_id,
            "survey": case.survey_started_at,
            "events": [(e.kind, e.actor, e.from_status, e.to_status, e.at, e.data) for e in case.events],
            "deadlines": sorted((d.step, d.starts_at, d.due_at, d.met_at, d.reminded_at, d.escalated_at)
                                for d in case.deadlines)}


def stored_rows(uow: AbstractUnitOfWork) -> tuple[list[OutboxItem], list[StaffNotification], list[Message]]:
    """What no port lists: read from the tables, or from the fake's data."""
    if isinstance(uow, FakeUnitOfWork):
        return uow.data.outbox, uow.data.staff_notifications, uow.data.messages
    assert isinstance(uow, SqlUnitOfWork)
    session = uow.session
    return (list(session.scalars(sa.select(OutboxItem).order_by(outbox.c.id))),
            list(session.scalars(sa.select(StaffNotification).order_by(staff_notifications.c.id))),
            list(session.scalars(sa.select(Message).order_by(messages.c.id))))


def test_fakes_and_the_database_end_the_same_scenario_alike(
        session_factory: sessionmaker[Session]) -> None:
    fake = FakeUnitOfWork(FakeData(calendar={
        day: (working, reason) for day, working, reason in calendar_entries(ROOT / "catalogue")}))
    on_fake = scenario(lambda: fake)
    on_sql = scenario(lambda: SqlUnitOfWork(session_factory))
    assert on_fake[:-1] == on_sql[:-1]
    fake_state, sql_state = on_fake[-1], on_sql[-1]
    for key in sql_state:
        assert fake_state[key] == sql_state[key], key
    # The scenario did what it says (so that agreeing is not agreeing on nothing).
    # new message, duplicate; reminders 1 then 0; 5 overdue steps; 2 digests, none again that day;
    # survey once; rating once; a row held behind a failed one; 3 rows released then none; 2 open
    # cases moved by the day off; link accepted.
    assert on_sql[:-1] == [True, False, 1, 0, 5, 2, 0, 1, 0, True, False, "held", 3, 0, 2, True]
    case = sql_state["cases"]["PAKN-2026-000001"]
    assert (case["status"], case["agency"]) == ("reopened", "so_tu_phap")
    assert sql_state["cases"]["PAKN-2026-000002"]["status"] == "classified"
    assert [row[3] for row in sql_state["outbox"]].count("pending") == len(sql_state["outbox"])
