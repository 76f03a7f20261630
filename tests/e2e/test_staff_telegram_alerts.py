"""Staff alerts on Telegram over real HTTP (issue 16): a ward officer sends the bot the one-time
code from the console in a real Telegram update, the bot answers in that chat, and when a case of
the officer's ward goes overdue the dispatcher delivers the alert to the fake Telegram Bot API.
SQLite and PostgreSQL."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

from bot.scheduler import run_deadline_jobs
from routing import services, staff_alerts
from storage.staff_contact import start_telegram_link
from storage.staff_services import create_user
from tests.conftest import LiveApp
from tests.e2e.citizens import TelegramCitizen
from tests.fakes import FakeTelegram

TAY_HO = "phường Tây Hồ"


def texts_to(fake: FakeTelegram, chat: int, containing: str, count: int = 1) -> list[str]:
    found = fake.wait_for(count, lambda r: r.endpoint == "sendMessage"
                          and str((r.body or {}).get("chat_id")) == str(chat)
                          and containing in str((r.body or {}).get("text")), timeout=15)
    return [str(r.body["text"]) for r in found]  # type: ignore[index]


def test_a_ward_officer_links_telegram_and_gets_the_overdue_alert(live_app_on: LiveApp,
                                                                  fake_telegram: FakeTelegram) -> None:
    live, pakn, now = live_app_on, live_app_on.components, datetime.now(timezone.utc)
    username = f"tayho_{uuid.uuid4().hex[:6]}"

    def account(uow):  # type: ignore[no-untyped-def]
        user_id = create_user(uow, pakn.ctx.catalogue, username, "mat-khau-tay-ho-1", "agency_staff",
                              "ubnd_xa", TAY_HO)
        return start_telegram_link(uow, user_id, now, 15)

    code = pakn.uow().run(account)
    officer = TelegramCitizen(live, fake_telegram)
    assert officer.say(f"/lienket {code}").status_code == 200
    [linked] = texts_to(fake_telegram, officer.chat_id, "Đã liên kết Telegram")
    assert username in linked

    with pakn.uow() as uow:
        form = services.IntakeForm(text="Hồ sơ đăng ký khai sinh cho con nộp hai tháng chưa có kết quả",
                                   procedure_id="ho_tich", citizen_name="Đỗ Thị Mai",
                                   citizen_phone="0912000111", citizen_address="Số 5 Quảng An",
                                   ward=TAY_HO)
        case = services.file_case(uow, pakn.ctx, None, form, now - timedelta(days=60),
                                  channel="hotline", sender_id=f"tg-{username}")
        code_of_case = str(case.code)
        uow.commit()
    run_deadline_jobs(pakn, now)
    [alert] = texts_to(fake_telegram, officer.chat_id, code_of_case)
    # One message for the case, every overdue step in it (no link: the live app has no base_url).
    assert alert.startswith(f"⚠️ Phản ánh {code_of_case} đã quá hạn: bước «Phân loại, chuyển cơ quan xử lý»")
    assert "bước «Trả lời công dân»" in alert and alert.endswith("· UBND phường Tây Hồ")
    run_deadline_jobs(pakn, now + timedelta(minutes=10))
    time.sleep(1)  # a second alert would have been sent by now
    assert len(fake_telegram.calls("sendMessage", officer.chat_id)) == 2  # the link reply, one alert
    assert staff_alerts.LINK_REFUSED not in linked
