"""Case lifecycle, deadlines, scheduler jobs and the survey against a real database."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from bot.scheduler import build_scheduler
from channels.base import IncomingMessage
from routing import services
from routing.model import CaseStatus, InvalidTransition
from storage.orm import labelled_examples, outbox, staff_notifications, survey_answers
from storage.queries import survey_averages

FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
FORM = services.IntakeForm(text="Hồ sơ khai sinh 3 tuần chưa có kết quả", procedure_id="ho_tich",
                           citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
                           citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward="phường Cầu Giấy")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def file_case(pakn: Any, now: datetime = FRIDAY, sender: str = "777") -> str:
    with pakn.uow() as uow:
        conversation = uow.conversations.get_or_create("telegram", sender)
        code = services.file_case(uow, pakn.ctx, conversation, FORM, now).code
        uow.commit()
    return code


def pushed(pakn: Any) -> list[str]:
    with pakn.session_factory() as session:
        return list(session.scalars(sa.select(outbox.c.text).order_by(outbox.c.id)))


def notifications(pakn: Any) -> list[tuple[str, str, str]]:
    with pakn.session_factory() as session:
        rows = session.execute(sa.select(staff_notifications.c.kind, staff_notifications.c.agency_id,
                                         staff_notifications.c.case_code)
                               .order_by(staff_notifications.c.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_whole_life_pushes_every_change_to_the_citizen(pakn: Any) -> None:
    code = file_case(pakn)
    notifier, ctx, t = pakn.notifier, pakn.ctx, FRIDAY
    with pakn.uow() as uow:
        services.forward_case(uow, notifier, ctx, code, "dau_moi", t)
        services.start_handling(uow, notifier, code, "can_bo_phuong", t)
        services.answer_case(uow, notifier, code, "Giấy khai sinh đã có, mời Ông đến nhận.",
                             "can_bo_phuong", t)
        services.publish_case(uow, notifier, code, "dau_moi", t)
        services.close_case(uow, notifier, code, "dau_moi", t)
        uow.commit()
    assert pushed(pakn) == [
        f"Phản ánh {code} đã được chuyển tới UBND phường Cầu Giấy để xử lý.",
        f"Phản ánh {code} đang được UBND phường Cầu Giấy xem xét, xử lý.",
        f"Phản ánh {code} đã có văn bản trả lời của UBND phường Cầu Giấy:\n"
        "Giấy khai sinh đã có, mời Ông đến nhận.\n"
        "Nếu chưa đồng ý với kết quả, Ông/Bà có thể trả lời tin nhắn này hoặc gửi \"gặp cán bộ\".",
        f"Kết quả xử lý phản ánh {code} đã được công khai trên Cổng thông tin của Thành phố.",
        f"Phản ánh {code} đã kết thúc xử lý. Cảm ơn Ông/Bà đã gửi phản ánh, kiến nghị.",
    ]
    with pakn.uow() as uow:
        case = services.lookup_case(uow, code)
        assert {d.step: d.met_at for d in case.deadlines} == {
            "classify_and_forward": t, "answer": t, "publish_result": t}
        with pytest.raises(InvalidTransition):
            services.answer_case(uow, notifier, code, "lần hai", "x", t)


def test_transfer_reclassify_reopen(pakn: Any) -> None:
    code = file_case(pakn)
    later = FRIDAY + timedelta(days=10)
    with pakn.uow() as uow:
        services.reclassify_case(uow, pakn.ctx, code, "can_cuoc", "dau_moi", FRIDAY, "Về thẻ căn cước")
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi", FRIDAY)
        services.transfer_case(uow, pakn.notifier, pakn.ctx, code, "ubnd_xa", "Thuộc thẩm quyền xã",
                               "cong_an", FRIDAY)
        services.start_handling(uow, pakn.notifier, code, "x", FRIDAY)
        services.answer_case(uow, pakn.notifier, code, "Đã giải quyết.", "x", FRIDAY)
        case = services.reopen_case(uow, pakn.notifier, pakn.ctx, code, "Công dân chưa đồng ý", "dau_moi",
                                    later)
        assert case.status == CaseStatus.REOPENED
        # Reopened Monday 7/12/2026 + 10 working days = Monday 21/12/2026.
        assert case.due_at == datetime(2026, 12, 21, 10, 0, tzinfo=timezone.utc)
        uow.commit()
    texts = pushed(pakn)
    assert texts[0] == f"Phản ánh {code} đã được chuyển tới Công an phường Cầu Giấy để xử lý."
    assert texts[1] == (f"Phản ánh {code} đã được chuyển tới UBND phường Cầu Giấy để xử lý.\n"
                        "Lý do: Thuộc thẩm quyền xã")
    assert texts[-1] == (f"Phản ánh {code} được xem xét lại. Hạn trả lời mới: 21/12/2026.\n"
                         "Lý do: Công dân chưa đồng ý")
    with pakn.session_factory() as session:
        row = session.execute(sa.select(labelled_examples)).one()
        assert (row.text, row.procedure_id, row.previous_procedure_id, row.source) == (
            FORM.text, "can_cuoc", "ho_tich", "reclassification")


def test_calendar_change_moves_open_deadlines(pakn: Any) -> None:
    code = file_case(pakn)
    with pakn.uow() as uow:
        before = services.lookup_case(uow, code).due_at
        moved = services.set_calendar_day(uow, date(2026, 12, 7), False, "Nghỉ bù (thử)")
        uow.commit()
    with pakn.uow() as uow:
        after = services.lookup_case(uow, code).due_at
    assert moved == 1 and after - before == timedelta(days=3)  # Fri 18/12 -> Mon 21/12


def test_reminders_and_escalations_are_sent_once_across_restarts(pakn: Any) -> None:
    code = file_case(pakn)
    clock = Clock(FRIDAY)
    scheduler = build_scheduler(pakn, clock=clock)
    job = scheduler.get_job("deadline_jobs")
    job.func()
    assert notifications(pakn) == []  # nothing due yet
    clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)  # Thu: forward due Fri 4/12
    job.func()
    job.func()
    assert notifications(pakn) == [("due_soon", "ubnd_xa", code)]
    scheduler = build_scheduler(pakn, clock=clock)  # a restart: a new scheduler, same database
    scheduler.get_job("deadline_jobs").func()
    assert notifications(pakn) == [("due_soon", "ubnd_xa", code)]
    clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)  # Monday: forwarding overdue
    scheduler.get_job("deadline_jobs").func()
    scheduler = build_scheduler(pakn, clock=clock)
    scheduler.get_job("deadline_jobs").func()
    assert notifications(pakn) == [("due_soon", "ubnd_xa", code),
                                   ("overdue", "van_phong_ubnd", code)]
    scheduler.get_job("daily_digest").func()
    scheduler.get_job("daily_digest").func()
    assert notifications(pakn)[-1] == ("digest", "ubnd_xa", None)
    assert len(notifications(pakn)) == 3


def test_survey_after_closure_is_asked_and_stored(pakn: Any) -> None:
    code = file_case(pakn)
    with pakn.uow() as uow:
        for step in (lambda: services.forward_case(uow, pakn.notifier, pakn.ctx, code, "x", FRIDAY),
                     lambda: services.start_handling(uow, pakn.notifier, code, "x", FRIDAY),
                     lambda: services.answer_case(uow, pakn.notifier, code, "Xong.", "x", FRIDAY),
                     lambda: services.close_case(uow, pakn.notifier, code, "x", FRIDAY)):
            step()
        uow.commit()
    clock = Clock(FRIDAY + timedelta(hours=1))
    scheduler = build_scheduler(pakn, clock=clock)
    scheduler.get_job("deadline_jobs").func()
    scheduler.get_job("deadline_jobs").func()  # asked once
    texts = pushed(pakn)
    assert texts[-2].startswith("Để giúp cơ quan nhà nước phục vụ tốt hơn")
    assert texts[-1].startswith("Câu 1/4: Cơ quan có bố trí hình thức tiếp nhận")
    for number, score in enumerate(("5", "4", "/rate:3", "5"), 1):
        payload = score if score.startswith("/") else None
        pakn.pipeline.handle(IncomingMessage("telegram", "777", f"u{number}", "" if payload else score,
                                             FRIDAY, payload=payload))
    assert pushed(pakn)[-1] == "Cảm ơn Ông/Bà đã đánh giá. Ý kiến của Ông/Bà đã được ghi nhận."
    with pakn.session_factory() as session:
        scores = dict(session.execute(sa.select(survey_answers.c.criterion, survey_answers.c.score)).all())
        assert scores == {"hinh_thuc_tiep_nhan": 5, "de_dang_phan_anh": 4, "xu_ly_tich_cuc": 3,
                          "thong_bao_kip_thoi": 5}
        assert survey_averages(session)[0] == {"agency_id": "ubnd_xa", "criterion": "de_dang_phan_anh",
                                               "average": 4.0, "answers": 1}


def test_forward_and_transfer_keep_a_unit_that_can_see_the_case(pakn: Any) -> None:
    no_ward = services.IntakeForm(**{**FORM.__dict__, "ward": None})
    with pakn.uow() as uow:
        code = services.file_case(uow, pakn.ctx, uow.conversations.get_or_create("telegram", "1"),
                                  no_ward, FRIDAY).code
        with pytest.raises(services.WardRequired):
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi", FRIDAY)
        with pytest.raises(services.UnknownWard):
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi", FRIDAY,
                                  ward="phường Hàng Bạc")  # a pre-2025 ward, not one of the 126
        case = services.lookup_case(uow, code)
        assert (case.status, case.agency_id, case.ward) == (CaseStatus.CLASSIFIED, "ubnd_xa", None)
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi", FRIDAY, ward="xã Sóc Sơn")
        with pytest.raises(services.SameUnit):
            services.transfer_case(uow, pakn.notifier, pakn.ctx, code, "ubnd_xa", "Chuyển lại", "x",
                                   FRIDAY)
        services.transfer_case(uow, pakn.notifier, pakn.ctx, code, "so_tu_phap", "Sở Tư pháp", "x",
                               FRIDAY)
        with pytest.raises(services.SameUnit):  # one Sở Tư pháp whatever the ward
            services.transfer_case(uow, pakn.notifier, pakn.ctx, code, "so_tu_phap", "Lại", "x",
                                   FRIDAY, ward="phường Cầu Giấy")
        case = services.lookup_case(uow, code)
        assert (case.agency_id, case.ward) == ("so_tu_phap", "xã Sóc Sơn")
        assert [e.data for e in case.events if e.to_status == "forwarded"] == [
            {"agency_id": "ubnd_xa", "ward": "xã Sóc Sơn", "from_ward": None},
            {"agency_id": "so_tu_phap", "ward": "xã Sóc Sơn", "from_agency": "ubnd_xa",
             "reason": "Sở Tư pháp"}]
        uow.commit()
    assert pushed(pakn)[0] == f"Phản ánh {code} đã được chuyển tới UBND xã Sóc Sơn để xử lý."


def test_a_consented_result_is_published_before_closing_or_the_reason_recorded(pakn: Any) -> None:
    consented = services.IntakeForm(**{**FORM.__dict__, "publish_consent": True})
    with pakn.uow() as uow:
        codes = [services.file_case(uow, pakn.ctx, None, form, FRIDAY, channel="hotline").code
                 for form in (consented, consented, FORM)]
        for code in codes:
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "dau_moi", FRIDAY)
            services.start_handling(uow, pakn.notifier, code, "can_bo_phuong", FRIDAY)
            services.answer_case(uow, pakn.notifier, code, "Đã cấp giấy khai sinh.", "can_bo_phuong",
                                 FRIDAY)
        unpublished, published, no_consent = codes
        with pytest.raises(services.PublicationRequired):
            services.close_case(uow, pakn.notifier, unpublished, "can_bo_phuong", FRIDAY)
        with pytest.raises(services.PublicationRequired):
            services.close_case(uow, pakn.notifier, unpublished, "can_bo_phuong", FRIDAY,
                                unpublished_reason="   ")
        assert services.lookup_case(uow, unpublished).status == CaseStatus.ANSWERED
        case = services.close_case(uow, pakn.notifier, unpublished, "can_bo_phuong", FRIDAY,
                                   unpublished_reason="Công dân rút đề nghị công khai")
        assert case.status == CaseStatus.CLOSED
        assert case.events[-1].data == {"unpublished_reason": "Công dân rút đề nghị công khai"}
        services.publish_reviewed_case(uow, pakn.notifier, published, "dau_moi", FRIDAY)
        for code in (published, no_consent):
            assert services.close_case(uow, pakn.notifier, code, "x", FRIDAY).status == CaseStatus.CLOSED
        uow.commit()
