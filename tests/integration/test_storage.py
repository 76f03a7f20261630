"""The real database through SQLAlchemy and Alembic, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from intake.notifier import OutboxNotifier
from routing import services
from routing.model import CaseStatus, Message
from storage.catalogue_files import deadline_policy, load_catalogue
from storage.orm import case_events, cases, messages, outbox
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import ROOT

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
CATALOGUE = load_catalogue(ROOT / "catalogue")
CTX = services.CaseContext(CATALOGUE, deadline_policy(CATALOGUE))
FORM = services.IntakeForm(text="Hồ sơ khai sinh 3 tuần chưa có kết quả", procedure_id="ho_tich",
                           citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
                           citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward="phường Cầu Giấy")


def file_one(session_factory: sessionmaker[Session], sender: str = "42") -> str:
    with SqlUnitOfWork(session_factory) as uow:
        conversation = uow.conversations.get_or_create("telegram", sender)
        case = services.file_case(uow, CTX, conversation, FORM, NOW)
        uow.commit()
        return case.code


def test_filed_case_round_trips_with_timeline_and_deadline(session_factory) -> None:  # type: ignore[no-untyped-def]
    code = file_one(session_factory)
    assert code == "PAKN-2026-000001"
    with SqlUnitOfWork(session_factory) as uow:
        case = services.lookup_case(uow, code)
        assert (case.status, case.agency_id, case.ward) == (CaseStatus.CLASSIFIED, "ubnd_xa",
                                                              "phường Cầu Giấy")
        assert case.received_at == NOW  # timezone-aware on every backend
        # Friday 27/11/2026 + 15 working days = Friday 18/12/2026, 17:00 Hà Nội time.
        assert case.due_at == datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc)
        assert [e.to_status for e in case.events] == ["received", "classified"]
        assert [(d.step, d.working_days) for d in case.deadlines] == [
            ("classify_and_forward", 5), ("answer", 15), ("publish_result", 20)]
        assert "Nghị định 20/2008" in case.deadline("classify_and_forward").source


def test_tracking_codes_are_unique_under_concurrency(session_factory) -> None:  # type: ignore[no-untyped-def]
    codes: list[str] = []
    errors: list[Exception] = []

    def worker(index: int) -> None:
        try:
            for n in range(5):
                codes.append(file_one(session_factory, f"{index}-{n}"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"PAKN-2026-{n:06d}" for n in range(1, 21)]


def test_inbound_dedupe_is_a_database_constraint(session_factory) -> None:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(session_factory) as uow:
        conversation = uow.conversations.get_or_create("zalo", "u1")
        first = Message(conversation.id, "in", "zalo", "xin chào", NOW, platform_message_id="m-1")
        again = Message(conversation.id, "in", "zalo", "xin chào", NOW, platform_message_id="m-1")
        other_channel = Message(conversation.id, "in", "telegram", "x", NOW, platform_message_id="m-1")
        assert uow.messages.add_inbound(first) is True
        assert uow.messages.add_inbound(again) is False
        assert uow.messages.add_inbound(other_channel) is True
        uow.commit()
    with session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(messages)) == 2


def test_status_change_writes_timeline_and_outbox_in_one_transaction(session_factory) -> None:  # type: ignore[no-untyped-def]
    code = file_one(session_factory)
    with SqlUnitOfWork(session_factory) as uow:
        services.forward_case(uow, OutboxNotifier(CATALOGUE), CTX, code, "dau_moi@vp", NOW,
                              note="Đề nghị trả lời trước ngày 10/12")
        uow.rollback()  # nothing committed: neither the status nor the message may remain
    with SqlUnitOfWork(session_factory) as uow:
        services.forward_case(uow, OutboxNotifier(CATALOGUE), CTX, code, "dau_moi@vp", NOW,
                              note="Đã gọi anh Tuấn bên hộ tịch",  # internal: never sent
                              citizen_message="Đề nghị trả lời trước ngày 10/12")
        uow.commit()
    with session_factory() as session:
        assert session.scalar(sa.select(cases.c.status)) == "forwarded"
        assert session.scalar(sa.select(sa.func.count()).select_from(case_events)) == 3
        (text,) = session.scalars(sa.select(outbox.c.text)).all()
        assert text == (f"Phản ánh {code} đã được chuyển tới UBND phường Cầu Giấy để xử lý.\n"
                        "Lời nhắn của cán bộ: Đề nghị trả lời trước ngày 10/12")
        assert session.scalar(sa.select(case_events.c.note).where(case_events.c.to_status == "forwarded")) \
            == "Đã gọi anh Tuấn bên hộ tịch"
