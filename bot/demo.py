"""Demo data for `make run`: first accounts and ~50 sample cases, only on a fresh installation.

Idempotent: accounts are created only when no account exists, sample cases only when there is no
case at all. The demo passwords are printed with a warning: change them before real use.
Every step happens in office hours (8:00-17:00 Hà Nội time, working days) and before `now`;
published results have the citizen's consent or a masking review, so the public site shows them.
"""
from __future__ import annotations

import functools
import logging
import random
import uuid
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable

from routing import services
from routing.calendar import VIETNAM, WorkingCalendar
from routing.case_rules import needs_masking_review, needs_ward
from routing.masking import mask
from routing.model import Message
from storage.orm import cases
from storage.staff_services import create_user

logger = logging.getLogger(__name__)
CAU_GIAY = "phường Cầu Giấy"
DEMO_USERS = (  # username, password, role, agency, ward, full name
    ("admin", "admin", "admin", None, None, "Quản trị hệ thống"),
    ("daumoi", "daumoi123", "focal_point", None, None, "Nguyễn Thị Đầu Mối"),
    ("caugiay", "caugiay123", "agency_staff", "ubnd_xa", CAU_GIAY, "Trần Văn Phường"),
)
SAMPLES = (  # procedure, text
    ("ho_tich", "Tôi nộp hồ sơ đăng ký khai sinh cho con ở phường 3 tuần rồi chưa có kết quả."),
    ("chung_thuc", "Bộ phận một cửa yêu cầu bản gốc khi chứng thực bản sao, tôi đã mang theo nhưng vẫn bị từ chối."),
    ("cu_tru", "Đăng ký thường trú cho mẹ tôi đã quá hạn trả kết quả mà chưa được giải quyết."),
    ("dat_dai", "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp từ tháng trước vẫn chưa được thẩm định."),
    ("xay_dung", "Xin giấy phép xây dựng nhà ở riêng lẻ bị yêu cầu bổ sung giấy tờ nhiều lần."),
    ("dang_ky_kinh_doanh", "Đăng ký hộ kinh doanh trên cổng dịch vụ công bị lỗi, không nộp được."),
    ("do_thi_moi_truong", "Rác thải tập kết ở đầu ngõ nhiều ngày không được thu gom."),
    ("dang_ky_xe", "Đăng ký xe máy mới mua, phải đi lại nhiều lần vì hệ thống lỗi."),
    ("can_cuoc", "Làm căn cước cho con đã hai tháng chưa nhận được thẻ."),
    ("bao_hiem", "Thẻ bảo hiểm y tế của bố tôi cấp lại bị sai ngày sinh."),
    ("dich_vu_cong_truc_tuyen", "Cổng dịch vụ công không nhận chữ ký số khi nộp hồ sơ trực tuyến."),
    (None, "Tôi muốn hỏi thủ tục cần những giấy tờ gì, cán bộ hướng dẫn không rõ ràng."),
)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
         "Vũ Thị Giang", "Đặng Văn Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", "Ngô Thị Ngọc")
WARDS = (CAU_GIAY, CAU_GIAY, "phường Ba Đình", "phường Hoàn Kiếm", "phường Đống Đa", None)
CHANNELS = ("telegram", "facebook", "zalo", "webchat", "hotline")
ANSWER = "Cơ quan đã giải quyết xong hồ sơ, mời Ông/Bà đến bộ phận một cửa nhận kết quả."
OPENS, CLOSES = time(8, 0), time(17, 0)  # office hours, Hà Nội time, on working days
# How far each sample goes: the services called after filing, in order.
STAGES = ("filed", "forwarded", "in_progress", "answered", "published", "closed", "rejected")
ESCALATIONS = (
    ("Nguyễn Thị Hoa", "Tôi đã gửi phản ánh hai lần mà chưa ai trả lời, cho tôi gặp cán bộ."),
    ("Lê Minh Tuấn", "gặp cán bộ"),
    ("Phạm Quốc Khánh", "Hồ sơ đất đai của tôi bị trả lại không rõ lý do, xin gặp người xử lý."),
)


def load_demo(pakn: Any, out: Callable[[str], None] = print, now: datetime | None = None) -> None:
    """Create the demo accounts and sample data if the installation is fresh."""
    now = now or datetime.now(timezone.utc)
    if pakn.uow().run(lambda uow: _demo_accounts(uow, pakn.ctx.catalogue, now)):
        out("WARNING: demo accounts created — admin/admin, daumoi/daumoi123 (focal point), "
            "caugiay/caugiay123 (UBND phường Cầu Giấy). Change these passwords before real use "
            "(/console/admin/users).")
    with pakn.read() as db:
        has_cases = db.execute(cases.select().limit(1)).first() is not None
    if not has_cases:
        _sample_cases(pakn, now)
        _escalations(pakn, now)
        out("Demo data: 50 sample cases and 3 escalated conversations loaded.")


def _demo_accounts(uow: Any, catalogue: Any, now: datetime) -> bool:
    """The demo accounts, when there is no account at all; whether they were created."""
    if uow.staff.count_users():
        return False
    for username, password, role, agency, ward, name in DEMO_USERS:
        create_user(uow, catalogue, username, password, role, agency, ward, name,
                    check_strength=False, now=now, must_change=True)  # changed at first login
    return True


def _sample_cases(pakn: Any, now: datetime, count: int = 50) -> None:
    rng = random.Random(181)
    criteria = [c for c, _ in pakn.notifier.criteria]
    with pakn.uow() as uow:
        calendar = uow.calendar.load()
    for number in range(count):
        procedure, text = SAMPLES[number % len(SAMPLES)]
        received = _received(calendar, now, rng.randint(0, 150), rng)
        form = services.IntakeForm(text=text, procedure_id=procedure, citizen_name=rng.choice(NAMES),
                                   citizen_phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                                   citizen_address=f"Số {rng.randint(1, 200)} ngõ {rng.randint(1, 99)}",
                                   ward=rng.choice(WARDS), publish_consent=rng.random() < 0.6)
        channel = CHANNELS[number % len(CHANNELS)]
        stage = STAGES[number % len(STAGES)] if received < now - timedelta(days=3) else "filed"
        pakn.uow().run(functools.partial(_sample_case, pakn, form, received, f"demo-{number}", channel,
                                         stage, calendar, now, rng, criteria))


def _sample_case(pakn: Any, form: services.IntakeForm, received: datetime, sender: str, channel: str,
                 stage: str, calendar: WorkingCalendar, now: datetime, rng: random.Random,
                 criteria: list[str], uow: Any) -> None:
    case = services.file_case(uow, pakn.ctx, None, form, received,
                              actor="daumoi" if channel == "hotline" else "bot",
                              channel=channel, sender_id=sender)
    demo = _Demo(uow, pakn, calendar, now, rng)
    closed_at = demo.advance(case.code, form.procedure_id, stage, received)
    if closed_at is not None:
        rated = demo.later(closed_at, rng.randint(0, 2))
        if rated is not None:
            for criterion in criteria:
                services.record_rating(uow, case.code, criterion, rng.randint(2, 5), rated)


class _Demo:
    """Takes one sample case through its stages, at working hours, never after `now`."""

    def __init__(self, uow: Any, pakn: Any, calendar: WorkingCalendar, now: datetime,
                 rng: random.Random) -> None:
        self.uow, self.pakn, self.calendar, self.now, self.rng = uow, pakn, calendar, now, rng

    def later(self, after: datetime, days: int) -> datetime | None:
        """A moment of working hours `days` days or more after `after`; None when after `now`."""
        moment = _working_moment(self.calendar, after, days, self.rng)
        return moment if moment <= self.now else None

    def advance(self, code: str, procedure: str | None, stage: str,
                received: datetime) -> datetime | None:
        """Run the services up to `stage` (or as far as time allows); the closing time, if closed."""
        uow, n, ctx, rng = self.uow, self.pakn.notifier, self.pakn.ctx, self.rng
        at = self.later(received, rng.randint(0, 2))
        if stage == "filed" or at is None:
            return None
        if stage == "rejected":
            services.reject_case(uow, n, code, "Thiếu thông tin liên hệ", "daumoi", at)
            return None
        if procedure is None:
            services.reclassify_case(uow, ctx, code, "dich_vu_cong_truc_tuyen", "daumoi", at)
        case = services.lookup_case(uow, code)
        ward = None if case.ward or not needs_ward(ctx.catalogue, case.agency_id) else CAU_GIAY
        services.forward_case(uow, n, ctx, code, "daumoi", at, ward=ward)
        officer = "caugiay" if (case.agency_id, case.ward) == ("ubnd_xa", CAU_GIAY) else "demo"
        order = ("in_progress", "answered", "published", "closed")
        for step in order[:order.index(stage) + 1] if stage in order else ():
            at = self.later(at, rng.randint(1, 6))  # type: ignore[arg-type]
            if at is None:
                return None
            self._step(step, code, officer, at)
        return at if stage == "closed" else None

    def _step(self, step: str, code: str, officer: str, at: datetime) -> None:
        uow, n = self.uow, self.pakn.notifier
        if step == "in_progress":
            services.start_handling(uow, n, code, officer, at)
        elif step == "answered":
            services.answer_case(uow, n, code, ANSWER, officer, at)
        elif step == "published":
            case = services.lookup_case(uow, code)
            if needs_masking_review(case):  # no consent: the focal point reviews the masked text
                known = (case.citizen_name, case.citizen_address, case.citizen_phone)
                services.review_publication(uow, code, mask(case.text, known), mask(ANSWER, known),
                                            "daumoi", at)
            services.publish_reviewed_case(uow, n, code, "daumoi", at)
        else:
            services.close_case(uow, n, code, "daumoi", at)


def _received(calendar: WorkingCalendar, now: datetime, days_ago: int,
              rng: random.Random) -> datetime:
    """A moment of working hours about `days_ago` days before `now`, not after it."""
    day = now.astimezone(VIETNAM).date() - timedelta(days=days_ago)
    while True:
        if calendar.is_working_day(day):
            opens = datetime.combine(day, OPENS, VIETNAM)
            closes = min(datetime.combine(day, CLOSES, VIETNAM), now)
            minutes = int((closes - opens).total_seconds() // 60)
            if minutes > 0:
                return (opens + timedelta(minutes=rng.randrange(minutes))).astimezone(timezone.utc)
        day -= timedelta(days=1)


def _working_moment(calendar: WorkingCalendar, after: datetime, days: int,
                    rng: random.Random) -> datetime:
    """A moment between 8:00 and 17:00 (Hà Nội) of a working day, `days` days or more after
    `after` and at least a few minutes later than it."""
    day = after.astimezone(VIETNAM).date() + timedelta(days=days)
    while True:
        if calendar.is_working_day(day):
            opens = max(datetime.combine(day, OPENS, VIETNAM), after + timedelta(minutes=5))
            minutes = int((datetime.combine(day, CLOSES, VIETNAM) - opens).total_seconds() // 60)
            if minutes > 0:
                return (opens + timedelta(minutes=rng.randrange(minutes))).astimezone(timezone.utc)
        day += timedelta(days=1)


def _escalations(pakn: Any, now: datetime) -> None:
    pakn.uow().run(lambda uow: _escalated_chats(uow, now))


def _escalated_chats(uow: Any, now: datetime) -> None:
    latest = _received(uow.calendar.load(), now, 0, random.Random(7))
    for minutes, (name, text) in enumerate(ESCALATIONS):
        at = latest - timedelta(minutes=10 * (len(ESCALATIONS) - 1 - minutes))
        conversation = uow.conversations.get_or_create("webchat", f"demo-{uuid.uuid4().hex[:12]}")
        conversation.display_name, conversation.escalated = name, True
        conversation.last_inbound_at = at
        message = Message(conversation.id, "in", "webchat", text, at,
                          platform_message_id=uuid.uuid4().hex)
        message.status = "processed"
        uow.messages.add(message)
