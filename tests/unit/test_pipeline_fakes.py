"""The intake pipeline on the in-memory fakes (no database, no NLU model): a citizen's messages go
in, and the test reads what they would get back — the reply texts queued in the outbox — and the
case that was filed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from channels.base import IncomingMessage
from intake.dialogue import Dialogue
from intake.notifier import OutboxNotifier
from intake.pipeline import Outcome, Pipeline
from nlu.result import ParseResult
from routing import services
from routing.model import CaseStatus
from storage.catalogue_files import calendar_entries, deadline_policy, load_catalogue
from tests.conftest import ROOT
from tests.unit.fakes import FakeData, FakeUnitOfWork

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)  # Friday 27/11/2026, 10:00 in Hà Nội
CATALOGUE = load_catalogue(ROOT / "catalogue")
CTX = services.CaseContext(CATALOGUE, deadline_policy(CATALOGUE))
KHAI_SINH = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"


class StubNlu:
    """Answers a few known texts as a trained model would; anything else is below the threshold."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def parse(self, text: str) -> ParseResult:
        self.asked.append(text)
        if text == KHAI_SINH:
            ward = {"entity": "ward", "value": "phường Cầu Giấy", "start": 38, "end": 53}
            return ParseResult(text, "phan_anh", 0.93, "ho_tich", "ubnd_xa", [ward],
                               [{"name": "phan_anh__ho_tich", "confidence": 0.93}])
        if text.startswith("Tra cứu PAKN-"):
            code = {"entity": "case_code", "value": text[len("Tra cứu "):], "start": 8,
                    "end": len(text)}
            return ParseResult(text, "tra_cuu", 0.9, None, None, [code],
                               [{"name": "tra_cuu", "confidence": 0.9}])
        return ParseResult(text, "nlu_fallback", 0.2, None, None, [], [])


class Citizen:
    """One chat on Telegram, typing or tapping buttons, with the clock moving a minute a message."""

    def __init__(self, pipeline: Pipeline, sender_id: str = "42") -> None:
        self.pipeline, self.sender_id, self.count = pipeline, sender_id, 0

    def says(self, text: str = "", payload: str | None = None, message_id: str | None = None) -> Outcome:
        self.count += 1
        return self.pipeline.handle(IncomingMessage(
            "telegram", self.sender_id, message_id or f"{self.sender_id}-{self.count}", text,
            NOW + timedelta(minutes=self.count), sender_name="Hoa", payload=payload))


def setup() -> tuple[FakeUnitOfWork, Pipeline, StubNlu]:
    data = FakeData(calendar={day: (working, reason)
                              for day, working, reason in calendar_entries(ROOT / "catalogue")})
    uow, nlu = FakeUnitOfWork(data), StubNlu()
    pipeline = Pipeline(lambda: uow, nlu, Dialogue(CATALOGUE), CTX,  # type: ignore[arg-type]
                        clock=lambda: NOW + timedelta(minutes=30),
                        notifier=OutboxNotifier(CATALOGUE))
    return uow, pipeline, nlu


def file_khai_sinh(citizen: Citizen) -> list[Any]:
    replies = []
    for text, payload in ((KHAI_SINH, None), ("Lê Thị Hoa", None), ("0912345678", None),
                          ("Số 5 ngõ 10 Trần Thái Tông", None), ("", "/consent:no"), ("", "/confirm")):
        replies += citizen.says(text, payload).replies
    return replies


def test_a_complaint_is_filed_after_the_bot_asked_what_was_missing() -> None:
    uow, pipeline, nlu = setup()
    replies = file_khai_sinh(Citizen(pipeline))
    filed = replies[-1].text
    assert filed.startswith("Đã tiếp nhận phản ánh của Ông/Bà.\nMã tra cứu: PAKN-2026-000001\n"
                            "Cơ quan xử lý: UBND phường Cầu Giấy\n"
                            "Hạn trả lời: 18/12/2026 (15 ngày làm việc).")
    case = uow.committed.cases["PAKN-2026-000001"]
    assert (case.status, case.citizen_name, case.citizen_phone, case.ward) == (
        CaseStatus.CLASSIFIED, "Lê Thị Hoa", "0912345678", "phường Cầu Giấy")
    assert case.conversation_id == uow.committed.conversations[0].id
    # Every reply is queued for Telegram, in order, the filed message quoting the confirmation tap.
    rows = uow.committed.outbox
    assert [row.text for row in rows] == [reply.text for reply in replies]
    assert (rows[-1].channel, rows[-1].recipient_id, rows[-1].status, rows[-1].reply_to) == (
        "telegram", "42", "pending", "42-6")
    assert nlu.asked[0] == KHAI_SINH and "" not in nlu.asked  # button taps are not parsed


def test_the_message_with_the_tracking_code_belongs_to_the_case() -> None:
    """Staff see on the case page that the citizen was sent the code ('Tin đã gửi công dân')."""
    uow, pipeline, _ = setup()
    file_khai_sinh(Citizen(pipeline))
    filed = [row for row in uow.committed.outbox if row.text.startswith("Đã tiếp nhận phản ánh")]
    assert [row.case_code for row in filed] == ["PAKN-2026-000001"]
    sent = [m for m in uow.committed.messages if m.direction == "out" and m.case_code == "PAKN-2026-000001"]
    assert [m.text for m in sent] == [row.text for row in filed]


def test_a_message_the_platform_delivers_twice_is_answered_once() -> None:
    uow, pipeline, _ = setup()
    citizen = Citizen(pipeline)
    first = citizen.says(KHAI_SINH, message_id="777")
    again = citizen.says(KHAI_SINH, message_id="777")
    assert first.replies and not first.duplicate
    assert (again.duplicate, again.replies) == (True, [])
    assert len(uow.committed.outbox) == len(first.replies)
    assert [m.direction for m in uow.committed.messages].count("in") == 1


def test_someone_else_must_give_the_last_phone_digits_to_read_a_status() -> None:
    uow, pipeline, _ = setup()
    file_khai_sinh(Citizen(pipeline, "42"))
    stranger = Citizen(pipeline, "99")
    asked = stranger.says("Tra cứu PAKN-2026-000001").replies[-1].text
    assert "PAKN-2026-000001" in asked and "4 số cuối" in asked
    assert "Hộ tịch" not in stranger.says("1111").replies[-1].text
    status = stranger.says("5678").replies[-1].text
    assert status.startswith("Phản ánh PAKN-2026-000001\n")
    assert "UBND phường Cầu Giấy" in status and "18/12/2026" in status


def test_replying_to_an_answer_reopens_the_case_with_a_new_deadline() -> None:
    uow, pipeline, _ = setup()
    citizen = Citizen(pipeline)
    file_khai_sinh(citizen)
    notifier, code = OutboxNotifier(CATALOGUE), "PAKN-2026-000001"
    with uow:
        services.forward_case(uow, notifier, CTX, code, "daumoi", NOW + timedelta(hours=1))
        services.start_handling(uow, notifier, code, "canbo", NOW + timedelta(hours=2))
        services.answer_case(uow, notifier, code, "Đã cấp giấy khai sinh.", "canbo",
                             NOW + timedelta(hours=3))
        uow.commit()
    citizen.says("Tôi chưa đồng ý với kết quả, vẫn chưa nhận được giấy")
    case = uow.committed.cases[code]
    assert case.status == CaseStatus.REOPENED
    assert case.events[-1].data["reason"] == "Tôi chưa đồng ý với kết quả, vẫn chưa nhận được giấy"
    assert uow.committed.outbox[-1].text.startswith(f"Phản ánh {code} được xem xét lại. Hạn trả lời mới: ")


def test_the_bot_keeps_quiet_while_a_staff_member_has_the_conversation() -> None:
    uow, pipeline, _ = setup()
    citizen = Citizen(pipeline)
    citizen.says("Xin chào")
    with uow:
        uow.conversations.get_or_create("telegram", "42").handled_by = 7  # type: ignore[attr-defined]
        uow.commit()
    queued = len(uow.committed.outbox)
    outcome = citizen.says(KHAI_SINH)
    assert outcome.replies == [] and len(uow.committed.outbox) == queued
    assert uow.committed.messages[-1].text == KHAI_SINH  # kept for the staff member to read
