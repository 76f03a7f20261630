"""Staff ask the citizen for more information, and the citizen disputes an answer, through the
pipeline on the in-memory fakes: what reaches the case, what staff are told, what the citizen reads."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from console.case_actions import available_actions, perform
from intake import messages as M
from intake.notifier import OutboxNotifier
from routing import services
from routing.model import CaseStatus
from tests.unit.test_pipeline_fakes import CATALOGUE, CTX, NOW, Citizen, file_khai_sinh, setup

CODE = "PAKN-2026-000001"


def staff(pipeline: object) -> SimpleNamespace:
    return SimpleNamespace(notifier=OutboxNotifier(CATALOGUE, (), pipeline.dialogue), ctx=CTX)  # type: ignore[attr-defined]


def act(uow: object, pakn: SimpleNamespace, name: str, form: dict[str, str], hours: int) -> None:
    with uow:  # type: ignore[attr-defined]
        perform(name, uow, pakn, CODE, form, "canbo", NOW + timedelta(hours=hours))
        uow.commit()  # type: ignore[attr-defined]


def test_the_citizens_answers_to_a_request_for_information_reach_the_case_and_staff() -> None:
    uow, pipeline, _ = setup()
    citizen, pakn = Citizen(pipeline), staff(pipeline)
    file_khai_sinh(citizen)
    act(uow, pakn, "ask_info", {"text": "Đề nghị Bà cho biết mã hồ sơ và ngày nộp."}, 1)
    asked = uow.committed.outbox[-1]
    assert "Đề nghị Bà cho biết mã hồ sơ" in asked.text and asked.quick_replies == [
        {"title": "Đã gửi đủ", "payload": "/info:done"}]
    reply = citizen.says("Mã hồ sơ là 000.00.31.H26-250305-0117").replies
    assert [r.text for r in reply] == [M.INFO_RECEIVED.format(code=CODE)]  # not 'mã hồ sơ thủ tục'
    citizen.says("tôi nộp ngày 5/3")
    done = citizen.says("", "/info:done").replies
    assert [r.text for r in done] == [M.INFO_DONE.format(code=CODE)]
    case = uow.committed.cases[CODE]
    infos = [e.note for e in case.events if e.kind == "citizen_info"]
    assert infos == ["Mã hồ sơ là 000.00.31.H26-250305-0117", "tôi nộp ngày 5/3"]
    assert case.events[-1].kind == "info_done"
    assert [(n.kind, n.case_code) for n in uow.committed.staff_notifications] == [
        ("citizen_info", CODE), ("citizen_info", CODE)]
    assert len(uow.committed.cases) == 1  # no new intake
    assert "close_info" not in [a.name for a in available_actions(case, "focal_point")]


def test_staff_close_the_request_and_the_bot_reads_messages_as_usual_again() -> None:
    uow, pipeline, _ = setup()
    citizen, pakn = Citizen(pipeline), staff(pipeline)
    file_khai_sinh(citizen)
    act(uow, pakn, "ask_info", {"text": "Xin gửi ảnh giấy hẹn."}, 1)
    assert "close_info" in [a.name for a in available_actions(uow.committed.cases[CODE], "agency_staff")]
    act(uow, pakn, "close_info", {}, 2)
    assert "đã nhận đủ thông tin bổ sung" in uow.committed.outbox[-1].text
    citizen.says("Xin chào")
    case = uow.committed.cases[CODE]
    assert [e.kind for e in case.events][-1] == "info_closed"
    assert not [e for e in case.events if e.kind == "citizen_info"]


def test_a_dispute_after_a_question_reopens_the_case() -> None:
    uow, pipeline, _ = setup()
    citizen = Citizen(pipeline)
    file_khai_sinh(citizen)
    notifier = OutboxNotifier(CATALOGUE, (), pipeline.dialogue)
    with uow:
        services.forward_case(uow, notifier, CTX, CODE, "daumoi", NOW + timedelta(hours=1))
        services.start_handling(uow, notifier, CODE, "canbo", NOW + timedelta(hours=2))
        services.answer_case(uow, notifier, CODE, "Đã cấp giấy khai sinh.", "canbo", NOW + timedelta(hours=3))
        uow.commit()
    citizen.says("cho toi hoi nhan giay o dau a?")
    citizen.says("toi chua dong y, phuong bao chua co giay, de nghi xem xet lai")
    assert uow.committed.cases[CODE].status == CaseStatus.REOPENED
